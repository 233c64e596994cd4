/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns @text (@len bytes, or up to the NUL when -1) as valid UTF-8 with
 * every C0 control character except tab and newline, DEL and every C1
 * control character (U+0080..U+009F) replaced by U+FFFD, so text from a
 * file, a peer or an agent cannot move a terminal's cursor, set its title
 * or write its clipboard. NULL stays NULL. */
char     *lean_text_strip_controls   (const char *text,
                                      gssize      len);

/* Whether lean_text_strip_controls() would change @text. */
gboolean  lean_text_has_controls     (const char *text);

/* Terminal output as plain text: escape sequences (CSI, OSC, DCS and the
 * other ESC forms) removed, CR LF made LF, a lone CR and every other
 * control character except tab and newline dropped, invalid UTF-8
 * replaced. For exports a person reads or greps. */
char     *lean_text_strip_escapes    (const char *data,
                                      gsize       len);
G_END_DECLS
