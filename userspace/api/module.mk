# SPDX-License-Identifier: GPL-2.0
# userspace/api: weaver's HTTP API (libmicrohttpd on the event loop) and Weave's status renderers.
LIBS += api
api_SRCS := userspace/api/http.c userspace/api/request.c userspace/api/template.c \
	userspace/api/render_text.c userspace/api/render_json.c
UNIT_SUITES += api
api_TEST_LIBS := api lib
FUZZERS += api
api_FUZZ_LIBS := api lib
