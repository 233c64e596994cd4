/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>

#include "lean-close-dialog.h"

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             GTask            *task)
{
  LeanCloseResponse answer = LEAN_CLOSE_CANCEL;

  if (g_str_equal (response, "stop"))
    answer = LEAN_CLOSE_STOP;
  else if (g_str_equal (response, "keep"))
    answer = LEAN_CLOSE_KEEP;
  /* A response while it closes (cancelled, then closed) is not another
   * answer. */
  if (g_object_get_data (G_OBJECT (task), "answered") != NULL)
    return;
  g_object_set_data (G_OBJECT (task), "answered", GINT_TO_POINTER (TRUE));
  g_task_return_int (task, answer);
}

static void
on_cancelled (GCancellable     *cancellable,
              AdwMessageDialog *dialog)
{
  /* Answered as Cancel by the "response" it triggers. */
  adw_message_dialog_response (dialog, "cancel");
}

void
_lean_close_dialog_run_async (GtkWindow           *parent,
                              guint                n_live,
                              gboolean             quitting,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _lean_close_dialog_run_async);

  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Session Is Still Running",
                                          "%u Sessions Are Still Running", n_live), n_live);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, NULL));
  if (quitting)
    {
      adw_message_dialog_set_body (dialog,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Quitting stops its agent.",
                                                "Quitting stops their agents.", n_live));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "stop", _("_Stop and Quit"),
                                        NULL);
    }
  else
    {
      adw_message_dialog_set_body (dialog,
                                   g_dngettext (GETTEXT_PACKAGE,
                                                "Keep it running in the background to get a "
                                                "notification when it ends, or stop its agent now.",
                                                "Keep them running in the background to get a "
                                                "notification as each ends, or stop their "
                                                "agents now.",
                                                n_live));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "stop", g_dngettext (GETTEXT_PACKAGE, "_Stop Session",
                                                             "_Stop Sessions", n_live),
                                        "keep", _("_Keep Running in Background"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "keep", ADW_RESPONSE_SUGGESTED);
    }
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");

  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response),
                         g_object_ref (task), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  if (cancellable != NULL)
    g_signal_connect_object (cancellable, "cancelled", G_CALLBACK (on_cancelled), dialog, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

LeanCloseResponse
_lean_close_dialog_finish (GAsyncResult  *result,
                           GError       **error)
{
  GError *local = NULL;
  gssize answer;

  g_return_val_if_fail (g_task_is_valid (result, NULL), LEAN_CLOSE_CANCEL);

  answer = g_task_propagate_int (G_TASK (result), &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return LEAN_CLOSE_CANCEL;
    }
  return (LeanCloseResponse) answer;
}
