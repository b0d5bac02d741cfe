/* SPDX-License-Identifier: GPL-2.0 */
/* The module's version; kept equal to the top-level VERSION file and dkms.conf. */
#ifndef WEAVE_VERSION
#define WEAVE_VERSION "0.1.0"
#endif
