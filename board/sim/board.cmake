# Board "sim": the drivers it needs (compiled into segw_board).
set(BOARD_DRIVERS pcap sim storage watchdog tty clock led nft nfqueue)
set(BOARD_SOURCES ${CMAKE_CURRENT_LIST_DIR}/board.c)
