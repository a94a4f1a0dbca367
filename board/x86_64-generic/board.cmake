# Board "x86_64-generic": a typical multi-port x86 appliance (seven named
# ports, ttyS0 at 115200, a hardware watchdog behind /dev/watchdog, one disk
# with the A/B image layout). Image facts in image.conf here.
set(BOARD_DRIVERS pcap storage wdt tty clock led nft nfqueue)
set(BOARD_SOURCES ${CMAKE_CURRENT_LIST_DIR}/board.c)
