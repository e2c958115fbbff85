/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "rtm-call"

#include "rtm-call-config.h"

#include <locale.h>
#include <stdio.h>

#include "rtm-call-app.h"
#include "rtm-call-options.h"
#include "rtm-call-printer.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RtmCallOptions) options = NULL;
  g_autoptr(RtmCallPrinter) printer = NULL;
  g_autoptr(RtmCallApp) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *help = NULL;

  setlocale (LC_ALL, "");
  g_set_prgname ("rtm-call");

  options = rtm_call_options_parse (argc, (const char * const *) argv, RTM_CALL_HAVE_VOICE,
                                    &help, &error);
  if (help != NULL)
    {
      fputs (help, stdout);
      return RTM_CALL_EXIT_OK;
    }
  if (options == NULL)
    {
      fprintf (stderr, "rtm-call: %s\nTry \"rtm-call --help\".\n", error->message);
      return g_error_matches (error, RTM_CALL_USAGE_ERROR, RTM_CALL_USAGE_ERROR_NOT_BUILT)
             ? RTM_CALL_EXIT_NOT_BUILT : RTM_CALL_EXIT_USAGE;
    }

  printer = rtm_call_printer_new (stdout, stderr, options->json);
  app = rtm_call_app_new (g_steal_pointer (&options), printer);
  return rtm_call_app_run (app);
}
