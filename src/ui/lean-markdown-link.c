/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n.h>
#include <adwaita.h>

#include "lean-markdown-link.h"

static void
launch_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("Could not open link: %s", error->message);
}

gboolean
lean_markdown_link_is_safe (const char *uri)
{
  g_autofree char *scheme = g_uri_parse_scheme (uri);

  return scheme != NULL && (g_ascii_strcasecmp (scheme, "http") == 0
                            || g_ascii_strcasecmp (scheme, "https") == 0
                            || g_ascii_strcasecmp (scheme, "mailto") == 0);
}

static void
launch_uri (GtkWidget  *widget,
            const char *uri)
{
  g_autoptr(GAppLaunchContext) context = NULL;

  context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (widget)));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, launch_done, NULL);
}

static void
on_open_response (AdwMessageDialog *dialog,
                  const char       *response,
                  gpointer          user_data)
{
  const char *uri = g_object_get_data (G_OBJECT (dialog), "lean-uri");

  if (g_strcmp0 (response, "open") == 0 && uri != NULL)
    launch_uri (GTK_WIDGET (dialog), uri);
}

void
lean_markdown_open_uri (GtkWidget  *widget,
                        const char *uri,
                        gboolean    ask)
{
  GtkRoot *root;
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (uri != NULL);

  if (!ask)
    {
      launch_uri (widget, uri);
      return;
    }

  root = gtk_widget_get_root (widget);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Open This Link?"), NULL);
  body = g_strdup_printf (_("“%s” is not a web or mail address inside this project. It opens "
                            "with whatever program this computer has for it. Open it only if "
                            "you trust the spec’s author."), uri);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "open", _("_Open"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "lean-uri", g_strdup (uri), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}
