/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BECKON_TYPE_PREFERENCES_WINDOW (beckon_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (BeckonPreferencesWindow, beckon_preferences_window, BECKON, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Edits the app's GSettings ("settings", construct-only): microphone and
 * speaker (from GstDeviceMonitor), echo cancellation, when busy, and shows
 * the account. */

GtkWidget *beckon_preferences_window_new (GSettings *settings);

G_END_DECLS
