/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-application"

#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#if HAVE_LIBSECRET
# include <libsecret/secret.h>
#endif
#if HAVE_ECHO_SERVICE
# include "beckon-echo-service.h"
#endif

#include "beckon-application.h"
#include "beckon-embedded-server.h"
#include "beckon-preferences-window.h"
#include "beckon-strings.h"
#include "beckon-window.h"

#define SCHEMA_ID "io.github.beckon.Beckon"
#define ECHO_USER_ID "echo"
#define KEYRING_TIMEOUT_MS 2000

struct _BeckonApplication
{
  AdwApplication        parent_instance;

  /* owned */
  GSettings            *settings;
  BeckonHistory        *history;
  BeckonCallList       *call_list;
  BeckonRinger         *ringer;
  RtmClient            *signing_in;      /* the client whose login runs */
  GCancellable         *sign_in_cancellable;
  BeckonEmbeddedServer *embedded_server;
  RtmClient            *echo_client;
  GObject              *echo_service;
  char                 *audio_warning;
  /* --uid / --server: a second instance under another account. */
  char                 *uid_override;
  char                 *server_override;

  gboolean              tried_embedded;
  gboolean              signed_in_once;
};

G_DEFINE_FINAL_TYPE (BeckonApplication, beckon_application, ADW_TYPE_APPLICATION)

static void start_sign_in (BeckonApplication *self,
                           const char        *server_uri,
                           const char        *user_id,
                           const char        *token);

static BeckonWindow *
get_window (BeckonApplication *self)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  for (GList *l = windows; l != NULL; l = l->next)
    if (BECKON_IS_WINDOW (l->data))
      return l->data;

  return NULL;
}

#if HAVE_LIBSECRET
static const SecretSchema *
get_token_schema (void)
{
  static const SecretSchema schema = {
    SCHEMA_ID ".Token", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static void
on_token_stored (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* No keyring runs: the token is simply not remembered. */
  if (!secret_password_store_finish (result, &error))
    g_debug ("The token was not stored: %s", error->message);
}
#endif

static void
store_token (BeckonApplication *self,
             const char        *server_uri,
             const char        *user_id,
             const char        *token)
{
#if HAVE_LIBSECRET
  g_autofree char *label = NULL;

  if (token == NULL || *token == '\0')
    return;

  label = g_strdup_printf (_("Beckon token for %s"), user_id);
  secret_password_store (get_token_schema (), SECRET_COLLECTION_DEFAULT, label, token,
                         NULL, on_token_stored, NULL,
                         "server", server_uri, "user", user_id, NULL);
#endif
}

/* Settings → call list and ringer. */

static GstDevice *
find_device (const char *klass,
             const char *name)
{
  g_autoptr(GstDeviceMonitor) monitor = NULL;
  GstDevice *found = NULL;
  GList *devices;

  if (name == NULL || *name == '\0')
    return NULL;

  monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (monitor, klass, NULL);
  devices = gst_device_monitor_get_devices (monitor);
  for (GList *l = devices; l != NULL && found == NULL; l = l->next)
    {
      g_autofree char *display_name = gst_device_get_display_name (l->data);

      if (g_strcmp0 (display_name, name) == 0)
        found = gst_object_ref (l->data);
    }
  g_list_free_full (devices, gst_object_unref);

  return found;
}

static gboolean
has_devices (const char *klass)
{
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new ();
  GList *devices;
  gboolean found;

  gst_device_monitor_add_filter (monitor, klass, NULL);
  devices = gst_device_monitor_get_devices (monitor);
  found = devices != NULL;
  g_list_free_full (devices, gst_object_unref);

  return found;
}

static void
apply_audio (BeckonApplication *self)
{
  const char *source = g_getenv ("BECKON_AUDIO_SOURCE");
  const char *sink = g_getenv ("BECKON_AUDIO_SINK");
  g_autofree char *microphone = g_settings_get_string (self->settings, "microphone");
  g_autofree char *speaker = g_settings_get_string (self->settings, "speaker");
  g_autoptr(GstDevice) source_device = NULL;
  g_autoptr(GstDevice) sink_device = NULL;
  gboolean no_source = FALSE;
  gboolean no_sink = FALSE;

  if (source == NULL || *source == '\0')
    {
      source = NULL;
      source_device = find_device ("Audio/Source", microphone);
      /* With no sound server autoaudiosrc fails: send silence instead,
       * so calls still connect, and say so. */
      if (source_device == NULL && !has_devices ("Audio/Source"))
        {
          no_source = TRUE;
          source = "audiotestsrc is-live=true wave=silence";
        }
    }

  if (sink == NULL || *sink == '\0')
    {
      sink = NULL;
      sink_device = find_device ("Audio/Sink", speaker);
      /* autoaudiosink falls back to a fake sink without a word. */
      if (sink_device == NULL && !has_devices ("Audio/Sink"))
        {
          no_sink = TRUE;
          sink = "fakesink sync=true";
        }
    }

  beckon_call_list_set_audio (self->call_list, source, sink);
  beckon_call_list_set_devices (self->call_list, source_device, sink_device);
  beckon_call_list_set_echo_cancel (self->call_list, g_settings_get_boolean (self->settings, "echo-cancel"));
  beckon_ringer_set_sink_description (self->ringer, sink);

  g_clear_pointer (&self->audio_warning, g_free);
  if (no_source && no_sink)
    self->audio_warning = g_strdup (_("No microphone or speaker found: calls connect, but nobody hears anything"));
  else if (no_source)
    self->audio_warning = g_strdup (_("No microphone found: the other side will hear silence"));
  else if (no_sink)
    self->audio_warning = g_strdup (_("No speaker found: you will not hear the other side or the ringing"));

  if (get_window (self) != NULL)
    beckon_window_set_warning (get_window (self), self->audio_warning);
}

static void
on_settings_changed (BeckonApplication *self,
                     const char        *key,
                     GSettings         *settings)
{
  if (g_str_equal (key, "when-busy"))
    {
      g_autofree char *when_busy = g_settings_get_string (settings, "when-busy");
      beckon_call_list_set_refuse_when_busy (self->call_list, g_str_equal (when_busy, "refuse"));
    }
  else if (g_str_equal (key, "echo-cancel") || g_str_equal (key, "microphone") ||
           g_str_equal (key, "speaker"))
    {
      apply_audio (self);
    }
}

/* The embedded server and the echo service. */

/* The default ws://127.0.0.1:7600/rtm, or the same on another port: a
 * loopback address we can serve ourselves. Returns the port, or 0. */
static guint16
embeddable_port (const char *server_uri)
{
  g_autoptr(GUri) uri = g_uri_parse (server_uri, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL ||
      g_strcmp0 (g_uri_get_scheme (uri), "ws") != 0 ||
      (g_strcmp0 (g_uri_get_host (uri), "127.0.0.1") != 0 &&
       g_strcmp0 (g_uri_get_host (uri), "localhost") != 0) ||
      g_strcmp0 (g_uri_get_path (uri), "/rtm") != 0)
    return 0;

  if (g_uri_get_port (uri) <= 0 || g_uri_get_port (uri) > G_MAXUINT16)
    return 0;

  return g_uri_get_port (uri);
}

#if HAVE_ECHO_SERVICE
static void
on_echo_login (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BeckonApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  RtmClient *client = RTM_CLIENT (object);

  if (!rtm_client_login_finish (client, result, &error))
    {
      g_message ("The echo service could not sign in: %s", error->message);
      return;
    }

  if (client != self->echo_client)
    return;

  g_clear_object (&self->echo_service);
  self->echo_service = G_OBJECT (beckon_echo_service_new (client));
}
#endif

static void
start_echo_service (BeckonApplication *self,
                    const char        *server_uri)
{
#if HAVE_ECHO_SERVICE
  if (self->echo_client != NULL)
    return;

  self->echo_client = rtm_client_new (server_uri);
  rtm_client_login_async (self->echo_client, ECHO_USER_ID, NULL, NULL,
                          on_echo_login, g_object_ref (self));
#endif
}

typedef struct
{
  char *server_uri;
  char *user_id;
  char *token;
} RetryData;

static void
retry_data_free (RetryData *data)
{
  g_free (data->server_uri);
  g_free (data->user_id);
  g_free (data->token);
  g_free (data);
}

static void
show_sign_in_error (BeckonApplication *self,
                    const char        *message)
{
  BeckonWindow *window = get_window (self);

  if (window == NULL)
    return;

  beckon_sign_in_page_set_busy (beckon_window_get_sign_in_page (window), FALSE);
  beckon_sign_in_page_set_error (beckon_window_get_sign_in_page (window), message);
}

static void
on_embedded_server_started (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  RetryData *data = user_data;
  BeckonApplication *self = BECKON_APPLICATION (g_application_get_default ());
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  uri = beckon_embedded_server_start_finish (BECKON_EMBEDDED_SERVER (object), result, &error);
  if (uri == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The local server could not start: %s"),
                                                  error->message);
      show_sign_in_error (self, message);
      retry_data_free (data);
      g_application_release (G_APPLICATION (self));
      return;
    }

  g_debug ("Embedded server listens on %s", uri);
  start_echo_service (self, data->server_uri);
  start_sign_in (self, data->server_uri, data->user_id, data->token);
  retry_data_free (data);
  g_application_release (G_APPLICATION (self));
}

static void
start_embedded_server (BeckonApplication *self,
                       const char        *server_uri,
                       const char        *user_id,
                       const char        *token)
{
  RetryData *data = g_new0 (RetryData, 1);

  data->server_uri = g_strdup (server_uri);
  data->user_id = g_strdup (user_id);
  data->token = g_strdup (token);

  self->tried_embedded = TRUE;
  self->embedded_server = beckon_embedded_server_new (embeddable_port (server_uri));
  g_application_hold (G_APPLICATION (self));
  beckon_embedded_server_start_async (self->embedded_server, NULL,
                                      on_embedded_server_started, data);
}

/* Signing in. */

static void
on_login_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BeckonApplication) self = user_data;
  g_autoptr(GError) error = NULL;
  RtmClient *client = RTM_CLIENT (object);
  const char *server_uri = rtm_client_get_server_uri (client);
  g_autofree char *user_id = NULL;
  g_autofree char *token = NULL;

  user_id = g_strdup (g_object_get_data (G_OBJECT (client), "beckon-user-id"));
  token = g_strdup (g_object_get_data (G_OBJECT (client), "beckon-token"));

  if (!rtm_client_login_finish (client, result, &error))
    {
      if (client != self->signing_in)
        return;
      g_clear_object (&self->signing_in);

      /* Nothing answers at the default address: be that server. */
      if (g_error_matches (error, RTM_ERROR, RTM_ERROR_CONNECTION_FAILED) &&
          embeddable_port (server_uri) != 0 && !self->tried_embedded)
        {
          start_embedded_server (self, server_uri, user_id, token);
          return;
        }

      {
        g_autofree char *message = g_strdup_printf (_("Could not sign in: %s"), error->message);
        show_sign_in_error (self, message);
      }
      return;
    }

  if (client != self->signing_in)
    return;
  g_clear_object (&self->signing_in);

  /* An instance started with --uid leaves the remembered account alone. */
  if (self->uid_override == NULL)
    {
      g_settings_set_string (self->settings, "server-uri", server_uri);
      g_settings_set_string (self->settings, "user-id", rtm_client_get_user_id (client));
      store_token (self, server_uri, user_id, token);
    }
  self->signed_in_once = TRUE;

  beckon_call_list_set_client (self->call_list, client);

  if (get_window (self) != NULL)
    {
      beckon_sign_in_page_set_busy (beckon_window_get_sign_in_page (get_window (self)), FALSE);
      beckon_sign_in_page_set_error (beckon_window_get_sign_in_page (get_window (self)), NULL);
    }
}

static void
start_sign_in (BeckonApplication *self,
               const char        *server_uri,
               const char        *user_id,
               const char        *token)
{
  BeckonWindow *window = get_window (self);
  g_autoptr(RtmClient) client = NULL;

  if (window != NULL)
    {
      beckon_sign_in_page_set_server_uri (beckon_window_get_sign_in_page (window), server_uri);
      beckon_sign_in_page_set_user_id (beckon_window_get_sign_in_page (window), user_id);
      beckon_sign_in_page_set_busy (beckon_window_get_sign_in_page (window), TRUE);
      beckon_sign_in_page_set_error (beckon_window_get_sign_in_page (window), NULL);
    }

  client = rtm_client_new (server_uri);
  g_object_set_data_full (G_OBJECT (client), "beckon-user-id", g_strdup (user_id), g_free);
  g_object_set_data_full (G_OBJECT (client), "beckon-token", g_strdup (token), g_free);
  g_set_object (&self->signing_in, client);

  rtm_client_login_async (client, user_id, token && *token ? token : NULL, NULL,
                          on_login_done, g_object_ref (self));
}

#if HAVE_LIBSECRET
typedef struct
{
  BeckonApplication *self;
  char              *server_uri;
  char              *user_id;
  GCancellable      *cancellable;
  guint              timeout_id;
} LookupData;

static void
on_token_looked_up (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  LookupData *data = user_data;
  g_autoptr(GError) error = NULL;
  char *token;

  token = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_debug ("No token from the keyring: %s", error->message);

  g_clear_handle_id (&data->timeout_id, g_source_remove);
  start_sign_in (data->self, data->server_uri, data->user_id, token);

  secret_password_free (token);
  g_application_release (G_APPLICATION (data->self));
  g_object_unref (data->self);
  g_object_unref (data->cancellable);
  g_free (data->server_uri);
  g_free (data->user_id);
  g_free (data);
}

static gboolean
on_lookup_timeout (gpointer user_data)
{
  LookupData *data = user_data;

  /* A keyring that does not answer must not keep us signed out. */
  data->timeout_id = 0;
  g_cancellable_cancel (data->cancellable);

  return G_SOURCE_REMOVE;
}
#endif

static void
sign_in_remembered (BeckonApplication *self,
                    const char        *server_uri,
                    const char        *user_id)
{
#if HAVE_LIBSECRET
  LookupData *data = g_new0 (LookupData, 1);

  data->self = g_object_ref (self);
  data->server_uri = g_strdup (server_uri);
  data->user_id = g_strdup (user_id);
  data->cancellable = g_cancellable_new ();
  data->timeout_id = g_timeout_add (KEYRING_TIMEOUT_MS, on_lookup_timeout, data);
  g_application_hold (G_APPLICATION (self));
  secret_password_lookup (get_token_schema (), data->cancellable, on_token_looked_up, data,
                          "server", server_uri, "user", user_id, NULL);
#else
  start_sign_in (self, server_uri, user_id, NULL);
#endif
}

static char *
default_user_id (void)
{
  g_autofree char *name = g_strdup (g_get_user_name ());

  /* Fit the protocol's user id rules. */
  for (char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_.@", *p) == NULL)
      *p = '_';
  if (strlen (name) > 64)
    name[64] = '\0';

  if (!beckon_user_id_is_valid (name))
    return g_strdup ("me");

  return g_steal_pointer (&name);
}

/* Notifications. */

static void
on_incoming_call_state_changed (BeckonApplication *self,
                                BeckonCallState    state,
                                BeckonCallState    old_state,
                                BeckonCall        *call)
{
  BeckonWindow *window = get_window (self);

  /* Answered from a notification: bring the call into view. */
  if (state == BECKON_CALL_STATE_CONNECTING && window != NULL &&
      !gtk_widget_get_visible (GTK_WIDGET (window)))
    gtk_window_present (GTK_WINDOW (window));
}

static void
on_call_added (BeckonApplication *self,
               BeckonCall        *call,
               BeckonCallList    *call_list)
{
  BeckonWindow *window = get_window (self);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  const char *content;

  if (beckon_call_get_state (call) != BECKON_CALL_STATE_INCOMING)
    return;

  g_signal_connect_object (call, "state-changed",
                           G_CALLBACK (on_incoming_call_state_changed), self, G_CONNECT_SWAPPED);
  /* Only when the user looks elsewhere: the window is hidden or unfocused. */
  if (window != NULL && gtk_widget_get_visible (GTK_WIDGET (window)) &&
      gtk_window_is_active (GTK_WINDOW (window)))
    return;

  title = g_strdup_printf (_("%s is calling"), beckon_call_get_peer_id (call));
  content = beckon_call_get_content (call);
  notification = g_notification_new (title);
  if (content != NULL && *content != '\0')
    g_notification_set_body (notification, content);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_URGENT);
  g_notification_set_category (notification, "call.incoming");
  g_notification_add_button_with_target (notification, _("Decline"), "app.decline",
                                         "s", beckon_call_get_id (call));
  g_notification_add_button_with_target (notification, _("Accept"), "app.accept",
                                         "s", beckon_call_get_id (call));
  g_application_send_notification (G_APPLICATION (self), beckon_call_get_id (call), notification);
}

static void
on_call_removed (BeckonApplication *self,
                 BeckonCall        *call,
                 BeckonCallList    *call_list)
{
  /* Ringing stopped: so does the notification. */
  g_application_withdraw_notification (G_APPLICATION (self), beckon_call_get_id (call));
}

/* Actions. */

static void
on_sign_in_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  BeckonApplication *self = user_data;
  const char *server_uri;
  const char *user_id;
  const char *token;

  g_variant_get (parameter, "(&s&s&s)", &server_uri, &user_id, &token);
  beckon_application_sign_in (self, server_uri, user_id, token);
}

static void
on_sign_out_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  beckon_application_sign_out (user_data);
}

static void
on_preferences_activated (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  BeckonApplication *self = user_data;
  GtkWidget *preferences = beckon_preferences_window_new (self->settings);

  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (get_window (self)));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
on_shortcuts_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  BeckonWindow *window = get_window (user_data);

  if (window != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
}

static void
on_about_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  BeckonApplication *self = user_data;
  static const char *developers[] = { "The Beckon developers", NULL };

  adw_show_about_window (GTK_WINDOW (get_window (self)),
                         "application-name", _("Beckon"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", "The Beckon developers",
                         "developers", developers,
                         "comments", _("Call invitations and voice calls"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "website", "https://github.com/beckon/beckon",
                         /* Translators: your names, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
on_quit_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  BeckonApplication *self = user_data;
  BeckonWindow *window = get_window (self);

  if (window != NULL)
    gtk_window_close (GTK_WINDOW (window));
  g_application_quit (G_APPLICATION (self));
}

static const GActionEntry app_entries[] = {
  { "sign-in", on_sign_in_activated, "(sss)" },
  { "sign-out", on_sign_out_activated },
  { "preferences", on_preferences_activated },
  { "shortcuts", on_shortcuts_activated },
  { "about", on_about_activated },
  { "quit", on_quit_activated },
};

/* Window. */

static gboolean
on_close_request (BeckonApplication *self,
                  GtkWindow         *window)
{
  int width;
  int height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return FALSE;
}

static void
beckon_application_activate (GApplication *application)
{
  BeckonApplication *self = BECKON_APPLICATION (application);
  BeckonWindow *window = get_window (self);
  g_autofree char *server_uri = NULL;
  g_autofree char *user_id = NULL;

  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return;
    }

  window = beckon_window_new (GTK_APPLICATION (self), self->call_list);
  gtk_window_set_default_size (GTK_WINDOW (window),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (window));
  g_signal_connect_object (window, "close-request", G_CALLBACK (on_close_request),
                           self, G_CONNECT_SWAPPED);
  beckon_window_set_warning (window, self->audio_warning);

  server_uri = self->server_override != NULL ? g_strdup (self->server_override)
                                             : g_settings_get_string (self->settings, "server-uri");
  user_id = self->uid_override != NULL ? g_strdup (self->uid_override)
                                       : g_settings_get_string (self->settings, "user-id");
  beckon_sign_in_page_set_server_uri (beckon_window_get_sign_in_page (window), server_uri);

  /* The first run picks a user id, so the run command opens signed in. */
  if (*user_id == '\0')
    {
      g_free (user_id);
      user_id = default_user_id ();
    }
  beckon_sign_in_page_set_user_id (beckon_window_get_sign_in_page (window), user_id);

  gtk_window_present (GTK_WINDOW (window));

  if (beckon_call_list_get_client (self->call_list) == NULL && self->signing_in == NULL)
    sign_in_remembered (self, server_uri, user_id);
}

static void
beckon_application_startup (GApplication *application)
{
  BeckonApplication *self = BECKON_APPLICATION (application);
  g_auto(GStrv) names = NULL;
  g_autofree char *when_busy = NULL;
  static const char *accept_accels[] = { "<Primary>Return", NULL };
  static const char *hangup_accels[] = { "<Primary>BackSpace", NULL };
  static const char *mute_accels[] = { "<Primary>m", NULL };
  static const char *preferences_accels[] = { "<Primary>comma", NULL };
  static const char *shortcuts_accels[] = { "<Primary>question", NULL };
  static const char *quit_accels[] = { "<Primary>q", NULL };

  G_APPLICATION_CLASS (beckon_application_parent_class)->startup (application);

  g_set_application_name (_("Beckon"));
  gtk_window_set_default_icon_name (APP_ID);

  self->settings = g_settings_new (SCHEMA_ID);
  if (self->uid_override != NULL)
    {
      /* Each account started with --uid keeps its own history. */
      g_autofree char *name = g_strdup_printf ("history-%s.json", self->uid_override);
      g_autofree char *path = g_build_filename (g_get_user_data_dir (), "beckon", name, NULL);

      self->history = beckon_history_new (path);
    }
  else
    self->history = beckon_history_new (NULL);
  self->call_list = beckon_call_list_new (NULL, self->history);
  self->ringer = beckon_ringer_new (self->call_list);

  when_busy = g_settings_get_string (self->settings, "when-busy");
  beckon_call_list_set_refuse_when_busy (self->call_list, g_str_equal (when_busy, "refuse"));
  apply_audio (self);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed),
                           self, G_CONNECT_SWAPPED);

  /* The call list's actions are the app's: buttons, shortcuts and
   * notifications all reach the same code. */
  names = g_action_group_list_actions (beckon_call_list_get_actions (self->call_list));
  for (guint i = 0; names[i] != NULL; i++)
    g_action_map_add_action (G_ACTION_MAP (self),
                             g_action_map_lookup_action (G_ACTION_MAP (beckon_call_list_get_actions (self->call_list)),
                                                         names[i]));
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_entries,
                                   G_N_ELEMENTS (app_entries), self);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.accept('')", accept_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.hangup('')", hangup_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.mute", mute_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", preferences_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  g_signal_connect_object (self->call_list, "call-added", G_CALLBACK (on_call_added),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->call_list, "call-removed", G_CALLBACK (on_call_removed),
                           self, G_CONNECT_SWAPPED);
}

static void
beckon_application_shutdown (GApplication *application)
{
  BeckonApplication *self = BECKON_APPLICATION (application);

  /* Hang up before the server goes away, so peers hear it. */
  if (self->call_list != NULL)
    beckon_call_list_set_client (self->call_list, NULL);
  g_clear_object (&self->echo_service);
  g_clear_object (&self->echo_client);
  if (self->embedded_server != NULL)
    beckon_embedded_server_stop (self->embedded_server);

  G_APPLICATION_CLASS (beckon_application_parent_class)->shutdown (application);
}

static void
beckon_application_dispose (GObject *object)
{
  BeckonApplication *self = BECKON_APPLICATION (object);

  g_clear_object (&self->ringer);
  g_clear_object (&self->call_list);
  g_clear_object (&self->history);
  g_clear_object (&self->signing_in);
  g_clear_object (&self->sign_in_cancellable);
  g_clear_object (&self->echo_service);
  g_clear_object (&self->echo_client);
  g_clear_object (&self->embedded_server);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->audio_warning, g_free);
  g_clear_pointer (&self->uid_override, g_free);
  g_clear_pointer (&self->server_override, g_free);

  G_OBJECT_CLASS (beckon_application_parent_class)->dispose (object);
}

/* "beckon --uid bob" runs beside the usual instance, signed in as bob, so
 * two people (or one tester) can call each other on one machine. */
static int
beckon_application_handle_local_options (GApplication *application,
                                         GVariantDict *options)
{
  BeckonApplication *self = BECKON_APPLICATION (application);
  const char *uid = NULL;
  const char *server = NULL;

  if (g_variant_dict_lookup (options, "uid", "&s", &uid))
    {
      if (!beckon_user_id_is_valid (uid))
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not a valid user id"), uid);

          g_printerr ("%s: %s\n", message,
                      _("User IDs are up to 64 letters, digits or marks, without spaces"));
          return EXIT_FAILURE;
        }
      self->uid_override = g_strdup (uid);
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
    }
  if (g_variant_dict_lookup (options, "server", "&s", &server))
    self->server_override = g_strdup (server);

  return G_APPLICATION_CLASS (beckon_application_parent_class)->handle_local_options (application, options);
}

static void
beckon_application_class_init (BeckonApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = beckon_application_dispose;
  app_class->activate = beckon_application_activate;
  app_class->startup = beckon_application_startup;
  app_class->shutdown = beckon_application_shutdown;
  app_class->handle_local_options = beckon_application_handle_local_options;
}

static void
beckon_application_init (BeckonApplication *self)
{
  const GOptionEntry entries[] = {
    { "uid", 'u', 0, G_OPTION_ARG_STRING, NULL,
      N_("Sign in as ID, in a window of its own beside the usual one"), N_("ID") },
    { "server", 's', 0, G_OPTION_ARG_STRING, NULL,
      N_("The server, ws://HOST:PORT/rtm (default: the one remembered)"), N_("URI") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

BeckonApplication *
beckon_application_new (void)
{
  return g_object_new (BECKON_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}

BeckonCallList *
beckon_application_get_call_list (BeckonApplication *self)
{
  g_return_val_if_fail (BECKON_IS_APPLICATION (self), NULL);
  return self->call_list;
}

BeckonRinger *
beckon_application_get_ringer (BeckonApplication *self)
{
  g_return_val_if_fail (BECKON_IS_APPLICATION (self), NULL);
  return self->ringer;
}

void
beckon_application_sign_in (BeckonApplication *self,
                            const char        *server_uri,
                            const char        *user_id,
                            const char        *token)
{
  g_return_if_fail (BECKON_IS_APPLICATION (self));
  g_return_if_fail (server_uri != NULL);
  g_return_if_fail (user_id != NULL);

  if (!beckon_user_id_is_valid (user_id))
    {
      show_sign_in_error (self, _("User IDs are up to 64 letters, digits or marks, without spaces"));
      return;
    }

  /* A new sign-in replaces the account, and with it every call. */
  beckon_call_list_set_client (self->call_list, NULL);
  start_sign_in (self, server_uri, user_id, token);
}

static void
on_logout_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!rtm_client_logout_finish (RTM_CLIENT (object), result, &error))
    g_debug ("Sign-out: %s", error->message);
}

void
beckon_application_sign_out (BeckonApplication *self)
{
  g_autoptr(RtmClient) client = NULL;

  g_return_if_fail (BECKON_IS_APPLICATION (self));

  if (beckon_call_list_get_client (self->call_list) == NULL)
    return;

  client = g_object_ref (beckon_call_list_get_client (self->call_list));

  beckon_call_list_set_client (self->call_list, NULL);
  if (rtm_client_get_connection_state (client) == RTM_CONNECTION_STATE_CONNECTED)
    rtm_client_logout_async (client, NULL, on_logout_done, NULL);
}
