# Test tools run inside the VM: built with the unit suites, into $(BUILD)/tests.
TEST_PROGS += nlprobe
nlprobe_SRCS := tests/vm/nlprobe.c
TEST_PROGS += dpscale
dpscale_SRCS := tests/vm/dpscale.c
dpscale_LIBS := overlay
