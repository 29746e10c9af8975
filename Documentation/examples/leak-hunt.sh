# Guest script: Documentation/leak-hunt.rst's session, start to finish.
insmod /np/nettypool.ko leak_detection=paranoid || exit 1
./leaky &
sleep 2
echo '$ nettypool stat'
./nettypool-static --color=never stat
echo '$ nettypool leaks'
./nettypool-static --color=never leaks
echo '$ nettypool layout'
echo NP-DOT-BEGIN
./nettypool-static layout
echo NP-DOT-END
kill %1
wait
sleep 1
echo '$ dmesg | grep LEAK | head -3'
dmesg | grep LEAK | head -3 | sed 's/^\[ *[0-9.]*\] //'
echo '$ grep leaked_on_close /sys/kernel/debug/nettypool/stats'
grep leaked_on_close /sys/kernel/debug/nettypool/stats
rmmod nettypool
