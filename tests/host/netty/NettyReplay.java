// SPDX-License-Identifier: GPL-2.0
/*
 * NettyReplay: replays allocation traces through Netty 4.1's own
 * PooledByteBufAllocator and prints what the pool looks like after every
 * operation, line for line in the format of np_netty_replay.c, so that
 * the two outputs can be compared byte for byte.
 *
 * Usage: java -cp CLASSES:netty-buffer.jar:netty-common.jar NettyReplay
 *        OUTDIR TRACE...
 * writes OUTDIR/NAME.expected for every TRACE named NAME.trace.
 *
 * The allocator has Netty's direct arenas, exactly one, no thread caches
 * (all cache sizes 0) and the trace's page size and max order. What the
 * public metrics (PoolArenaMetric) do not show is read by reflection from
 * the package-private fields of PooledByteBuf and PoolSubpage, which the
 * classpath allows: a buffer's chunk and offset, a subpage's chunk and
 * page offset.
 *
 * The line format (see np_netty_replay.c, which prints the same):
 *   alloc ID SIZE = cN OFFSET CAPACITY | lists ... | chunks ... | subpages ...
 *   free ID | lists ... | chunks ... | subpages ...
 * Chunks are numbered c1, c2, ... in the order they first appear.
 */
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PoolChunkListMetric;
import io.netty.buffer.PoolChunkMetric;
import io.netty.buffer.PoolSubpageMetric;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.IOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

public final class NettyReplay {
	/* The chunk lists in the order the C side prints them. */
	private static final String[] LIST_NAMES = {
		"qInit", "q000", "q025", "q050", "q075", "q100"
	};
	/* How many subpages of one pool's ring a line shows. */
	private static final int RING_SHOWN = 4;
	/*
	 * Documented difference: a huge buffer gets its request rounded up
	 * to the system page (4 KiB on every machine the lane runs on);
	 * Netty gives it exactly what was asked. Nothing else of the pool
	 * depends on it, so the capacity printed here is rounded the same
	 * way, on purpose.
	 */
	private static final long SYSTEM_PAGE = 4096;

	private static Field bufChunk;
	private static Field bufOffset;
	private static Field bufMaxLength;
	private static Field chunkUnpooled;
	private static Field subpageChunk;
	private static Field subpageRunOffset;

	private final Map<Object, Integer> chunkIds = new IdentityHashMap<>();
	private int nextChunkId = 1;

	private static Field field(String cls, String name) throws Exception {
		Field f = Class.forName("io.netty.buffer." + cls)
			.getDeclaredField(name);
		f.setAccessible(true);
		return f;
	}

	private int chunkId(Object chunk) {
		Integer id = chunkIds.get(chunk);
		if (id == null) {
			id = nextChunkId++;
			chunkIds.put(chunk, id);
		}
		return id;
	}

	/* What an allocation got: "cN OFFSET CAPACITY", or "huge CAPACITY". */
	private String placement(ByteBuf buf, long size) throws Exception {
		Object chunk = bufChunk.get(buf);

		if (chunkUnpooled.getBoolean(chunk)) {
			long cap = (size + SYSTEM_PAGE - 1) / SYSTEM_PAGE * SYSTEM_PAGE;
			return "huge " + cap;
		}
		return "c" + chunkId(chunk) + " " + bufOffset.getInt(buf) + " " +
			bufMaxLength.getInt(buf);
	}

	/*
	 * Everything the pool shows after an operation. Chunks that are in
	 * no list any more were destroyed: forgotten, so that only live
	 * chunks are numbered (their numbers are never given again).
	 */
	private String state(PoolArenaMetric arena) throws Exception {
		StringBuilder counts = new StringBuilder(" | lists");
		StringBuilder chunks = new StringBuilder(" | chunks");
		Map<Object, Integer> live = new IdentityHashMap<>();
		List<PoolChunkListMetric> lists = arena.chunkLists();

		for (int i = 0; i < lists.size(); i++) {
			int n = 0;

			for (PoolChunkMetric c : lists.get(i)) {
				if (n++ == 0)
					chunks.append(' ').append(LIST_NAMES[i])
						.append(':');
				live.put(c, chunkId(c));
				chunks.append(" c").append(chunkId(c)).append('/')
					.append(c.usage()).append('/')
					.append(c.freeBytes());
			}
			counts.append(' ').append(n);
		}
		chunkIds.keySet().retainAll(live.keySet());

		StringBuilder pools = new StringBuilder(" | subpages");
		List<PoolSubpageMetric> subpages = new ArrayList<>();
		subpages.addAll(arena.tinySubpages());
		subpages.addAll(arena.smallSubpages());
		/* One ring per element size, each in ring order. */
		for (int i = 0; i < subpages.size();) {
			int elem = subpages.get(i).elementSize();
			int j = i;

			while (j < subpages.size() &&
			       subpages.get(j).elementSize() == elem)
				j++;
			pools.append(' ').append(elem).append('x').append(j - i);
			for (int k = i; k < j && k < i + RING_SHOWN; k++) {
				PoolSubpageMetric s = subpages.get(k);

				pools.append(k == i ? ':' : ',').append('c')
					.append(chunkId(subpageChunk.get(s)))
					.append('+')
					.append(subpageRunOffset.getInt(s))
					.append('/').append(s.numAvailable());
			}
			i = j;
		}
		return counts.toString() + chunks + pools;
	}

	private void replay(File trace, File out) throws Exception {
		Map<Long, ByteBuf> live = new HashMap<>();
		PooledByteBufAllocator alloc = null;
		PoolArenaMetric arena = null;

		try (BufferedReader in = new BufferedReader(new FileReader(trace));
		     BufferedWriter w = new BufferedWriter(new FileWriter(out),
							   1 << 20)) {
			String line;

			while ((line = in.readLine()) != null) {
				String[] f = line.trim().split("\\s+");
				String res;

				if (f[0].isEmpty() || f[0].startsWith("#"))
					continue;
				if (f[0].equals("geometry")) {
					int pageSize = Integer.parseInt(f[1]);
					int maxOrder = Integer.parseInt(f[2]);

					/* preferDirect, 0 heap and 1 direct
					 * arena, no tiny, small or normal
					 * cache, no cache for any thread */
					alloc = new PooledByteBufAllocator(true,
						0, 1, pageSize, maxOrder, 0, 0,
						0, false);
					arena = alloc.metric().directArenas()
						.get(0);
					w.write("geometry " + pageSize + " " +
						maxOrder + "\n");
					continue;
				}
				if (f[0].equals("alloc")) {
					long id = Long.parseLong(f[1]);
					int size = Integer.parseInt(f[2]);
					ByteBuf b = alloc.directBuffer(size);

					live.put(id, b);
					res = "alloc " + id + " " + size + " = " +
						placement(b, size);
				} else if (f[0].equals("free")) {
					long id = Long.parseLong(f[1]);

					live.remove(id).release();
					res = "free " + id;
				} else {
					throw new IOException(trace + ": bad line: " +
							      line);
				}
				w.write(res + state(arena) + "\n");
			}
		}
		/* whatever the trace left, so that its chunks can go */
		for (ByteBuf b : live.values())
			b.release();
	}

	public static void main(String[] args) throws Exception {
		if (args.length < 2) {
			System.err.println("usage: NettyReplay OUTDIR TRACE...");
			System.exit(2);
		}
		bufChunk = field("PooledByteBuf", "chunk");
		bufOffset = field("PooledByteBuf", "offset");
		bufMaxLength = field("PooledByteBuf", "maxLength");
		chunkUnpooled = field("PoolChunk", "unpooled");
		subpageChunk = field("PoolSubpage", "chunk");
		subpageRunOffset = field("PoolSubpage", "runOffset");
		for (int i = 1; i < args.length; i++) {
			File trace = new File(args[i]);
			String name = trace.getName().replaceFirst("\\.trace$", "");

			new NettyReplay().replay(trace,
				new File(args[0], name + ".expected"));
		}
	}
}
