# Board "qemu-x86_64": the test board (qemu, three virtio NICs, ttyS0,
# softdog behind /dev/watchdog, a virtio disk with the A/B image layout).
# Its image facts (kernel modules, partition sizes) are in image.conf here.
set(BOARD_DRIVERS pcap storage wdt tty clock led nft nfqueue)
set(BOARD_SOURCES ${CMAKE_CURRENT_LIST_DIR}/board.c)
