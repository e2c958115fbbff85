/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Opens the display and initialises GTK, retrying a refused connection.
 * Returns FALSE if the display never answered. */
gboolean app_test_init_gtk (void);

G_END_DECLS
