/* SPDX-License-Identifier: MIT */
/* leanspec-ctl review / land / discard / followup / worktrees: what a
 * session changed, and landing or dropping it. */
#include "config.h"

#include <stdio.h>

#include <glib/gi18n.h>

#include "ctl-private.h"
#include "lean-controller.h"
#include "lean-git.h"
#include "lean-session-followup.h"
#include "lean-session-review.h"

static LeanSession *
lookup_session (LeanSessionDb *db,
                const char    *ref,
                int           *exit_code)
{
  g_autoptr(GError) error = NULL;
  LeanSession *session = lean_session_db_lookup (db, ref, &error);

  if (session == NULL)
    *exit_code = ctl_report_error (error);
  return session;
}

static JsonNode *
change_to_json (LeanSession     *session,
                LeanSessionTree *tree,
                LeanGitChange   *change)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "session");
  json_builder_add_string_value (b, lean_session_get_id (session));
  json_builder_set_member_name (b, "workdir");
  json_builder_add_string_value (b, tree->workdir);
  json_builder_set_member_name (b, "branch");
  json_builder_add_string_value (b, tree->branch);
  json_builder_set_member_name (b, "base");
  json_builder_add_string_value (b, change->base);
  json_builder_set_member_name (b, "added");
  json_builder_add_int_value (b, change->added);
  json_builder_set_member_name (b, "removed");
  json_builder_add_int_value (b, change->removed);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < change->files->len; i++)
    {
      LeanGitFileChange *file = g_ptr_array_index (change->files, i);
      char status[2] = { (char)file->status, '\0' };

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, file->path);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, status);
      json_builder_set_member_name (b, "added");
      json_builder_add_int_value (b, file->added);
      json_builder_set_member_name (b, "removed");
      json_builder_add_int_value (b, file->removed);
      json_builder_set_member_name (b, "binary");
      json_builder_add_boolean_value (b, file->binary);
      json_builder_set_member_name (b, "too_large");
      json_builder_add_boolean_value (b, file->too_large);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

int
ctl_cmd_review (CtlContext  *ctx,
                int          argc,
                char       **argv)
{
  gboolean json = FALSE, patch = FALSE;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanSessionTree) tree = NULL;
  g_autoptr(LeanGitChange) change = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "patch", 0, 0, G_OPTION_ARG_NONE, &patch, N_("Print the change as a patch"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SESSION",
                          _("What a session changed against the commit it started from, "
                            "uncommitted and untracked files included: each file with its "
                            "status (A added, M modified, D deleted, T type changed) and lines "
                            "added and removed. SESSION may be a unique prefix of its id."),
                          NULL, entries, 1, 1, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  if (!(session = lookup_session (db, argv[1], &exit_code)))
    return exit_code;
  tree = lean_session_tree_resolve (db, session, &error);
  if (tree == NULL)
    return ctl_report_error (error);

  if (patch)
    {
      g_autofree char *text = lean_git_diff_patch (tree->workdir, tree->base_commit, G_MAXSIZE,
                                                   NULL, &error);
      g_autoptr(GString) out = NULL;

      if (text == NULL)
        return ctl_report_error (error);
      /* A patch is the files' bytes: not filtered, like --json. */
      out = g_string_new (text);
      return ctl_write_stdout (out) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }

  change = lean_git_change_compute (tree->workdir, tree->base_commit, 0, &error);
  if (change == NULL)
    return ctl_report_error (error);
  if (json)
    {
      g_autoptr(JsonNode) root = change_to_json (session, tree, change);

      return ctl_print_json (root) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }

  for (guint i = 0; i < change->files->len; i++)
    {
      LeanGitFileChange *file = g_ptr_array_index (change->files, i);

      if (file->binary)
        g_print ("%c %s  %s\n", file->status, file->path, _("(binary)"));
      else if (file->too_large)
        g_print ("%c %s  %s\n", file->status, file->path, _("(too large to show)"));
      else
        g_print ("%c %s  +%u -%u\n", file->status, file->path, file->added, file->removed);
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u file changed, +%u -%u (against %.8s)\n",
                        "%u files changed, +%u -%u (against %.8s)\n", change->files->len),
           change->files->len, change->added, change->removed,
           change->base != NULL ? change->base : "-");
  return CTL_EXIT_OK;
}

int
ctl_cmd_land (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autofree char *message = NULL;
  gboolean squash = FALSE, no_merge = FALSE, keep = FALSE;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(LeanGitLandResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LeanGitLandFlags flags = 0;
  int exit_code;
  const GOptionEntry entries[] = {
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message,
      N_("Commit message (default: “NNN: spec title”)"), N_("MESSAGE") },
    { "squash", 0, 0, G_OPTION_ARG_NONE, &squash,
      N_("Land the session's branch as one commit"), NULL },
    { "no-merge", 0, 0, G_OPTION_ARG_NONE, &no_merge,
      N_("Only commit on the session's branch"), NULL },
    { "keep-worktree", 0, 0, G_OPTION_ARG_NONE, &keep,
      N_("Keep the worktree and branch after merging"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SESSION",
                          _("Commit a session's work (author from git config) and merge its "
                            "branch into the branch it started from: a fast-forward when "
                            "possible, else a merge commit. On a conflict nothing is changed, "
                            "the files are named and the exit status is 1."),
                          NULL, entries, 1, 1, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  if (!(session = lookup_session (db, argv[1], &exit_code)))
    return exit_code;
  if (squash)
    flags |= LEAN_GIT_LAND_SQUASH;
  if (no_merge)
    flags |= LEAN_GIT_LAND_NO_MERGE;

  result = lean_session_land (db, session, message, flags, keep, &error);
  lean_session_db_flush (db);
  if (result == NULL)
    return ctl_report_error (error);

  if (result->outcome == LEAN_GIT_LANDED_CONFLICT)
    {
      g_autofree char *files = g_strjoinv (", ", result->conflicts);

      if (result->local_changes)
        return ctl_report_message (CTL_EXIT_FAILED,
                                   _("local changes where the base branch is checked out would "
                                     "be overwritten in: %s; nothing was merged"), files);
      return ctl_report_message (CTL_EXIT_FAILED,
                                 _("the merge conflicts in: %s; nothing was merged (the work "
                                   "is committed on the session's branch)"), files);
    }

  switch (result->outcome)
    {
    case LEAN_GIT_LANDED_NOTHING:
      g_print (_("Nothing to land: no change, or already in the base branch.\n"));
      break;
    case LEAN_GIT_LANDED_COMMITTED:
      g_print (_("Committed %.8s.\n"), result->commit);
      break;
    case LEAN_GIT_LANDED_FAST_FORWARD:
      g_print (_("Landed %.8s (fast-forward).\n"), result->landed);
      break;
    case LEAN_GIT_LANDED_MERGED:
      g_print (_("Landed %.8s (merge commit).\n"), result->landed);
      break;
    case LEAN_GIT_LANDED_SQUASHED:
      g_print (_("Landed %.8s (squashed).\n"), result->landed);
      break;
    case LEAN_GIT_LANDED_CONFLICT:
    default:
      break;
    }
  return CTL_EXIT_OK;
}

int
ctl_cmd_discard (CtlContext  *ctx,
                 int          argc,
                 char       **argv)
{
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code;
  const GOptionEntry entries[] = { { NULL } };

  if (!ctl_parse_options (&argc, &argv, "SESSION",
                          _("Drop a worktree session's work: its worktree and its branch are "
                            "deleted."), NULL, entries, 1, 1, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  if (!(session = lookup_session (db, argv[1], &exit_code)))
    return exit_code;
  if (!lean_session_discard (db, session, &error))
    return ctl_report_error (error);
  lean_session_db_flush (db);
  g_print (_("Discarded %s and its worktree.\n"),
           lean_session_get_branch (session) != NULL ? lean_session_get_branch (session)
                                                     : lean_session_get_id (session));
  return CTL_EXIT_OK;
}

static void
on_followup_started (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
on_followup_output (LeanSession *session,
                    GBytes      *bytes,
                    gpointer     user_data)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  fwrite (data, 1, len, stdout);
  fflush (stdout);
}

int
ctl_cmd_followup (CtlContext  *ctx,
                  int          argc,
                  char       **argv)
{
  g_autofree char *message = NULL;
  g_auto(GStrv) comment_args = NULL;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(LeanSession) original = NULL;
  g_autoptr(LeanController) controller = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LeanSession) session = NULL;
  g_autoptr(GPtrArray) comments = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, N_("What the agent should do next"),
      N_("MESSAGE") },
    { "comment", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &comment_args,
      N_("A remark on one line (repeatable)"), N_("FILE:LINE:TEXT") },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SESSION",
                          _("Start a follow-up of an ended session in the same working tree. "
                            "Claude Code and Codex continue their own conversation; other "
                            "agents get the spec, the earlier summary and the message. The "
                            "output streams to stdout; the exit status is the session's."),
                          NULL, entries, 1, 1, &exit_code))
    return exit_code;

  comments = g_ptr_array_new_with_free_func ((GDestroyNotify)lean_review_comment_free);
  for (guint i = 0; comment_args != NULL && comment_args[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (comment_args[i], ":", 3);
      guint64 line = 0;

      if (g_strv_length (parts) != 3 || *parts[0] == '\0' ||
          !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT, &line, NULL))
        return ctl_report_message (CTL_EXIT_USAGE,
                                   _("--comment wants FILE:LINE:TEXT, not “%s”"),
                                   comment_args[i]);
      g_ptr_array_add (comments, lean_review_comment_new (parts[0], (guint)line, parts[2]));
    }
  if ((message == NULL || *message == '\0') && comments->len == 0)
    return ctl_report_message (CTL_EXIT_USAGE, _("write what the agent should do with "
                                                 "--message"));

  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;
  if (!(original = lookup_session (db, argv[1], &exit_code)))
    return exit_code;
  if (!ctl_trust_check_agent (lean_session_get_project_path (original),
                              lean_session_get_agent_id (original), &exit_code))
    return exit_code;

  controller = lean_controller_new (db);
  lean_controller_followup_async (controller, original, message, comments, NULL,
                                  on_followup_started, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  session = lean_controller_followup_finish (controller, result, &error);
  if (session == NULL)
    return ctl_report_error (error);

  g_printerr (_("leanspec-ctl: session %s: follow-up of %s\n"), lean_session_get_id (session),
              lean_session_get_id (original));
  g_signal_connect (session, "output", G_CALLBACK (on_followup_output), NULL);
  while (!lean_session_state_is_final (lean_session_get_state (session)))
    g_main_context_iteration (NULL, TRUE);
  lean_session_db_flush (db);
  g_printerr (_("leanspec-ctl: session %s %s\n"), lean_session_get_id (session),
              lean_session_state_to_string (lean_session_get_state (session)));
  return lean_session_get_state (session) == LEAN_SESSION_STATE_COMPLETED ? CTL_EXIT_OK
                                                                          : CTL_EXIT_FAILED;
}

static char *
format_age (gint64 seconds)
{
  if (seconds < 3600)
    return g_strdup_printf (_("%" G_GINT64_FORMAT " min"), seconds / 60);
  if (seconds < 2 * 86400)
    return g_strdup_printf (_("%" G_GINT64_FORMAT " h"), seconds / 3600);
  return g_strdup_printf (_("%" G_GINT64_FORMAT " days"), seconds / 86400);
}

int
ctl_cmd_worktrees (CtlContext  *ctx,
                   int          argc,
                   char       **argv)
{
  gboolean json = FALSE, prune = FALSE;
  g_autoptr(LeanSessionDb) db = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  int exit_code;
  const GOptionEntry entries[] = {
    { "prune", 0, 0, G_OPTION_ARG_NONE, &prune,
      N_("Remove the worktrees of ended sessions (their branches stay)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, NULL,
                          _("List the git worktrees sessions made, with their disk use and "
                            "age; --prune removes those whose sessions all ended."),
                          NULL, entries, 0, 0, &exit_code))
    return exit_code;
  if (!(db = ctl_open_db (&exit_code)))
    return exit_code;

  if (prune)
    {
      guint removed = lean_session_worktrees_prune (db, &error);

      if (error != NULL)
        return ctl_report_error (error);
      if (!json)
        g_print (g_dngettext (GETTEXT_PACKAGE, "Removed %u worktree.\n",
                              "Removed %u worktrees.\n", removed), removed);
    }

  list = lean_session_worktrees_list (db, &error);
  if (list == NULL)
    return ctl_report_error (error);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < list->len; i++)
        {
          LeanSessionWorktree *w = g_ptr_array_index (list, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "path");
          json_builder_add_string_value (b, w->path);
          json_builder_set_member_name (b, "session");
          json_builder_add_string_value (b, w->session_id);
          json_builder_set_member_name (b, "spec");
          json_builder_add_string_value (b, w->spec_id);
          json_builder_set_member_name (b, "branch");
          json_builder_add_string_value (b, w->branch);
          json_builder_set_member_name (b, "ended");
          json_builder_add_boolean_value (b, w->ended);
          json_builder_set_member_name (b, "bytes");
          json_builder_add_int_value (b, (gint64)w->bytes);
          json_builder_set_member_name (b, "age_seconds");
          json_builder_add_int_value (b, w->age);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      return ctl_print_json (root) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }

  for (guint i = 0; i < list->len; i++)
    {
      LeanSessionWorktree *w = g_ptr_array_index (list, i);
      g_autofree char *size = g_format_size (w->bytes);
      g_autofree char *age = format_age (w->age);

      g_print ("%.8s  %-24s %9s %9s  %s%s\n", w->session_id, w->spec_id, size, age, w->path,
               w->ended ? "" : _("  (running)"));
    }
  if (list->len == 0 && !prune)
    g_print (_("No session worktrees.\n"));
  return CTL_EXIT_OK;
}
