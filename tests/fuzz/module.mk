# libFuzzer targets. Each userspace module.mk adds its target name to FUZZERS and sets
# <name>_FUZZ_LIBS (library names whose _SRCS are compiled into the target);
# the target is tests/fuzz/fuzz_<name>.c, its seed corpus tests/fuzz/corpus/<name>/.
