/* SPDX-License-Identifier: MIT */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Links in a spec come from whoever wrote the repository. http, https and
 * mailto open at once; anything else (file:, a custom scheme that starts
 * a program, a path out of the project) only after the person says so in
 * a dialog naming @uri. @widget gives the window and display. */
gboolean    lean_markdown_link_is_safe        (const char       *uri);
void        lean_markdown_open_uri            (GtkWidget        *widget,
                                               const char       *uri,
                                               gboolean          ask);

G_END_DECLS
