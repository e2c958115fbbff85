/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "beckon-embedded-server"

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>

#include <glib/gi18n.h>

#include "beckon-embedded-server.h"

#define LISTENING_PREFIX "listening on "

struct _BeckonEmbeddedServer
{
  GObject           parent_instance;

  GSubprocess      *process;
  GDataInputStream *output;
  GCancellable     *cancellable;
  guint16           port;
};

G_DEFINE_FINAL_TYPE (BeckonEmbeddedServer, beckon_embedded_server, G_TYPE_OBJECT)

static void
on_line_drained (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  BeckonEmbeddedServer *self;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (line == NULL)
    return;  /* end of output, an error or cancelled: we are done */

  /* Keep reading so the server never blocks on a full pipe. */
  self = user_data;
  g_data_input_stream_read_line_async (self->output, G_PRIORITY_LOW, self->cancellable,
                                       on_line_drained, self);
}

static void
on_first_line (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  BeckonEmbeddedServer *self = g_task_get_source_object (task);
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, &error);
  if (line == NULL)
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                             _("The local server stopped before it listened"));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!g_str_has_prefix (line, LISTENING_PREFIX))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The local server said: %s"), line);
      return;
    }

  g_data_input_stream_read_line_async (self->output, G_PRIORITY_LOW, self->cancellable,
                                       on_line_drained, self);
  g_task_return_pointer (task, g_strdup (line + strlen (LISTENING_PREFIX)), g_free);
}

static void
on_child_setup (gpointer user_data)
{
  /* The server is ours: it goes when we go, even if we crash. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
beckon_embedded_server_dispose (GObject *object)
{
  BeckonEmbeddedServer *self = BECKON_EMBEDDED_SERVER (object);

  beckon_embedded_server_stop (self);

  G_OBJECT_CLASS (beckon_embedded_server_parent_class)->dispose (object);
}

static void
beckon_embedded_server_class_init (BeckonEmbeddedServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = beckon_embedded_server_dispose;
}

static void
beckon_embedded_server_init (BeckonEmbeddedServer *self)
{
}

BeckonEmbeddedServer *
beckon_embedded_server_new (guint16 port)
{
  BeckonEmbeddedServer *self = g_object_new (BECKON_TYPE_EMBEDDED_SERVER, NULL);

  self->port = port;
  return self;
}

char *
beckon_embedded_server_find_program (void)
{
  const char *env = g_getenv ("BECKON_RTM_SERVER");
  g_autofree char *self_path = NULL;
  g_autofree char *installed = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  /* Next to our own binary: the install's bindir or a relocated tree. */
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self_path);
      g_autofree char *beside = g_build_filename (dir, "rtm-server", NULL);

      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&beside);
    }

  installed = g_build_filename (BINDIR, "rtm-server", NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);

  return g_find_program_in_path ("rtm-server");
}

void
beckon_embedded_server_start_async (BeckonEmbeddedServer *self,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *program = NULL;
  g_autofree char *port = NULL;

  g_return_if_fail (BECKON_IS_EMBEDDED_SERVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beckon_embedded_server_start_async);

  if (self->process != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The local server was started already");
      return;
    }

  program = beckon_embedded_server_find_program ();
  if (program == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("rtm-server is not installed"));
      return;
    }

  port = g_strdup_printf ("%u", self->port);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, on_child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawn (launcher, &error, program, "--port", port, NULL);
  if (self->process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->cancellable = g_cancellable_new ();
  self->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->process));
  g_data_input_stream_read_line_async (self->output, G_PRIORITY_DEFAULT, cancellable,
                                       on_first_line, g_steal_pointer (&task));
}

char *
beckon_embedded_server_start_finish (BeckonEmbeddedServer  *self,
                                     GAsyncResult          *result,
                                     GError               **error)
{
  g_return_val_if_fail (BECKON_IS_EMBEDDED_SERVER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
beckon_embedded_server_stop (BeckonEmbeddedServer *self)
{
  g_return_if_fail (BECKON_IS_EMBEDDED_SERVER (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->output);

  if (self->process != NULL)
    {
      g_subprocess_send_signal (self->process, SIGTERM);
      g_clear_object (&self->process);
    }
}
