/* SPDX-License-Identifier: MIT */
/* The spec subcommands: list, show, set, complete, stats, board. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gi18n.h>

#include "lean-error.h"
#include "lean-project-private.h"
#include "lean-spec-writer.h"
#include "ctl-private.h"

#define STATUS_VALUES "draft, planned, in-progress, complete, archived"
#define PRIORITY_VALUES "low, medium, high, critical"

/* leanspec-ctl runs one command and exits: the loaded specs are kept here so
 * they are not finalized one by one on the way out (about 5% of a `list` of
 * 5,000 specs). They stay reachable, so leak checkers do not flag them. */
static GPtrArray *specs_kept_until_exit;

gboolean
ctl_load_project (CtlContext   *ctx,
                  LeanProject **project,
                  GPtrArray   **specs,
                  GPtrArray   **problems,
                  int          *exit_code)
{
  g_autoptr(LeanProject) proj = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = NULL;
  const char *dir = ctx->directory;

  if (dir == NULL)
    dir = cwd = g_get_current_dir ();
  else if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      *exit_code = ctl_report_message (CTL_EXIT_FAILED, _("%s: no such folder"), dir);
      return FALSE;
    }

  proj = lean_project_open (dir, &error);
  if (proj == NULL)
    {
      *exit_code = ctl_report_error (error);
      return FALSE;
    }

  /* One command, few files opened after the load: skip reading the
   * READMEs the spec cache knows unchanged. */
  _lean_project_set_read_on_demand (proj, TRUE);
  loaded = lean_project_load_specs (proj, problems, NULL, &error);
  if (loaded == NULL)
    {
      *exit_code = ctl_report_error (error);
      return FALSE;
    }

  g_clear_pointer (&specs_kept_until_exit, g_ptr_array_unref);
  specs_kept_until_exit = g_ptr_array_ref (loaded);
  *project = g_steal_pointer (&proj);
  *specs = g_steal_pointer (&loaded);
  return TRUE;
}

static gboolean
parse_status (const char     *value,
              LeanSpecStatus *status,
              int            *exit_code)
{
  if (lean_spec_status_from_string (value, status))
    return TRUE;
  *exit_code = ctl_report_message (CTL_EXIT_USAGE,
                                   _("invalid status “%s”: use one of %s"),
                                   value, STATUS_VALUES);
  return FALSE;
}

static gboolean
parse_priority (const char       *value,
                LeanSpecPriority *priority,
                int              *exit_code)
{
  if (lean_spec_priority_from_string (value, priority))
    return TRUE;
  *exit_code = ctl_report_message (CTL_EXIT_USAGE,
                                   _("invalid priority “%s”: use one of %s"),
                                   value, PRIORITY_VALUES);
  return FALSE;
}

/* When a reference does not resolve, the spec may exist but be unreadable:
 * saying why beats "not found". */
static LeanSpecProblem *
find_problem_for_ref (GPtrArray  *problems,
                      const char *ref)
{
  guint64 ref_number = 0;
  gboolean ref_is_number = g_ascii_string_to_unsigned (ref, 10, 0, G_MAXUINT, &ref_number, NULL);

  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      LeanSpecProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *dir = g_path_get_dirname (lean_spec_problem_get_path (problem));
      g_autofree char *folder = g_path_get_basename (dir);
      const char *dash = strchr (folder, '-');

      if (g_str_equal (folder, ref))
        return problem;
      if (dash != NULL && g_str_equal (dash + 1, ref))
        return problem;
      if (ref_is_number && g_ascii_strtoull (folder, NULL, 10) == ref_number)
        return problem;
    }

  return NULL;
}

LeanSpec *
ctl_resolve_spec (LeanProject *project,
                  GPtrArray   *specs,
                  GPtrArray   *problems,
                  const char  *ref,
                  int         *exit_code)
{
  g_autoptr(GError) error = NULL;
  LeanSpec *spec;

  spec = lean_project_find_spec (project, specs, ref, &error);
  if (spec != NULL)
    return spec;

  if (g_error_matches (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND))
    {
      LeanSpecProblem *problem = find_problem_for_ref (problems, ref);

      if (problem != NULL)
        {
          *exit_code = ctl_report_message (CTL_EXIT_FAILED, _("spec “%s” cannot be read: %s: %s"),
                                           ref, lean_spec_problem_get_rel_path (problem),
                                           lean_spec_problem_get_reason (problem));
          return NULL;
        }
    }

  *exit_code = ctl_report_error (error);
  return NULL;
}

/* Test hook: lets a test change the file between our read and our write, to
 * prove a concurrent edit is refused rather than overwritten. */
static void
maybe_pause_before_write (void)
{
  char line[64];

  if (g_getenv ("_LEANSPEC_CTL_TEST_PAUSE_BEFORE_WRITE") == NULL)
    return;
  g_printerr ("leanspec-ctl: paused before write\n");
  if (fgets (line, sizeof line, stdin) == NULL)
    return;
}

static gboolean
spec_has_tag (LeanSpec   *spec,
              const char *tag)
{
  const char * const *tags = lean_spec_get_tags (spec);

  for (guint i = 0; tags[i] != NULL; i++)
    if (g_utf8_collate (tags[i], tag) == 0)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ list */

int
ctl_cmd_list (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GPtrArray) shown = NULL;
  g_autofree char *status_str = NULL;
  g_autofree char *priority_str = NULL;
  g_autofree char *assignee = NULL;
  g_auto(GStrv) tags = NULL;
  gboolean all = FALSE;
  gboolean json = FALSE;
  LeanSpecStatus status = LEAN_SPEC_STATUS_NONE;
  LeanSpecPriority priority = LEAN_SPEC_PRIORITY_NONE;
  guint n_hidden = 0;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "status", 's', 0, G_OPTION_ARG_STRING, &status_str,
      N_("Only specs with this status (" STATUS_VALUES ")"), N_("STATUS") },
    { "priority", 'p', 0, G_OPTION_ARG_STRING, &priority_str,
      N_("Only specs with this priority (" PRIORITY_VALUES ")"), N_("PRIORITY") },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &tags,
      N_("Only specs with this tag (repeat to require several)"), N_("TAG") },
    { "assignee", 'a', 0, G_OPTION_ARG_STRING, &assignee,
      N_("Only specs assigned to this person"), N_("NAME") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("Include archived specs (hidden by default)"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print a JSON array on stdout and nothing else"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "", _("List the specs of the project, sorted by number."),
                          _("Archived specs (status archived or under specs/archived/) are hidden\n"
                            "unless --all or --status archived is given. Broken spec files are\n"
                            "reported on stderr as “path: reason”; the exit status stays 0.\n"
                            "JSON objects have: id, number, title, status, priority, tags,\n"
                            "depends_on, parent, assignee, path, archived, created, updated_at,\n"
                            "completed_at (null when absent), tokens, token_status and lint (the\n"
                            "status of the spec's own checks: pass, warn or fail)."),
                          entries, 0, 0, &exit_code))
    return exit_code;

  if (status_str != NULL && !parse_status (status_str, &status, &exit_code))
    return exit_code;
  if (priority_str != NULL && !parse_priority (priority_str, &priority, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  shown = g_ptr_array_new ();
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      gboolean archived = lean_spec_is_archived (spec);

      if (status == LEAN_SPEC_STATUS_ARCHIVED)
        {
          if (!archived)
            continue;
        }
      else
        {
          if (status != LEAN_SPEC_STATUS_NONE && lean_spec_get_status (spec) != status)
            continue;
          if (archived && !all)
            {
              n_hidden++;
              continue;
            }
        }
      if (priority != LEAN_SPEC_PRIORITY_NONE && lean_spec_get_priority (spec) != priority)
        continue;
      if (assignee != NULL && g_strcmp0 (lean_spec_get_assignee (spec), assignee) != 0)
        continue;
      if (tags != NULL)
        {
          gboolean match = TRUE;

          for (guint t = 0; match && tags[t] != NULL; t++)
            match = spec_has_tag (spec, tags[t]);
          if (!match)
            continue;
        }
      g_ptr_array_add (shown, spec);
    }

  ctl_report_problems (problems);

  if (json)
    return ctl_json_write_spec_array (shown) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);
      glong id_width = 0;

      for (guint i = 0; i < shown->len; i++)
        id_width = MAX (id_width, g_utf8_strlen (lean_spec_get_id (g_ptr_array_index (shown, i)), -1));

      for (guint i = 0; i < shown->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (shown, i);
          const char *id = lean_spec_get_id (spec);
          const char *prio = lean_spec_priority_to_string (lean_spec_get_priority (spec));
          g_autofree char *status_text = NULL;
          g_autofree char *padded = g_strdup_printf ("%-11s", ctl_status_or_none (lean_spec_get_status (spec)));

          status_text = ctl_style (ctx, ctl_status_sgr (lean_spec_get_status (spec)), padded);
          g_string_append (out, id);
          for (glong pad = g_utf8_strlen (id, -1); pad < id_width; pad++)
            g_string_append_c (out, ' ');
          g_string_append_printf (out, "  %s  %-8s  %s\n", status_text, prio ? prio : "-",
                                  lean_spec_get_title (spec));
        }

      if (n_hidden > 0)
        g_string_append_printf (out, ngettext ("%u spec (%u archived hidden; --all shows them)\n",
                                               "%u specs (%u archived hidden; --all shows them)\n",
                                               shown->len),
                                shown->len, n_hidden);
      else
        g_string_append_printf (out, ngettext ("%u spec\n", "%u specs\n", shown->len), shown->len);

      ctl_write_human (stdout, out->str, out->len);
    }

  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------------ show */

static void
append_field (GString    *out,
              const char *label,
              const char *value)
{
  if (value == NULL || *value == '\0')
    return;
  g_string_append_printf (out, "%-12s %s\n", label, value);
}

static void
print_spec_text (CtlContext *ctx,
                 LeanSpec   *spec,
                 gboolean    with_body)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *heading = g_strdup_printf ("%s: %s", lean_spec_get_id (spec), lean_spec_get_title (spec));
  g_autofree char *styled = ctl_style (ctx, "1", heading);
  g_autofree char *status = ctl_style (ctx, ctl_status_sgr (lean_spec_get_status (spec)),
                                       ctl_status_or_none (lean_spec_get_status (spec)));
  g_autofree char *tags = g_strjoinv (", ", (char **)lean_spec_get_tags (spec));
  g_autofree char *deps = g_strjoinv (", ", (char **)lean_spec_get_depends_on (spec));
  g_autofree char *subs = g_strjoinv (", ", (char **)lean_spec_get_sub_specs (spec));
  g_autofree char *checklist = NULL;
  guint checked = lean_spec_get_n_checked (spec);
  guint total = checked + lean_spec_get_n_unchecked (spec);

  if (total > 0)
    checklist = g_strdup_printf (_("%u of %u done"), checked, total);

  g_string_append_printf (out, "%s\n", styled);
  append_field (out, _("Status:"), status);
  append_field (out, _("Priority:"), lean_spec_priority_to_string (lean_spec_get_priority (spec)));
  append_field (out, _("Tags:"), tags);
  append_field (out, _("Depends on:"), deps);
  append_field (out, _("Parent:"), lean_spec_get_parent (spec));
  append_field (out, _("Assignee:"), lean_spec_get_assignee (spec));
  append_field (out, _("Created:"), lean_spec_get_created (spec));
  append_field (out, _("Updated:"), lean_spec_get_updated_at (spec));
  append_field (out, _("Completed:"), lean_spec_get_completed_at (spec));
  append_field (out, _("Checklist:"), checklist);
  append_field (out, _("Sub-specs:"), subs);
  append_field (out, _("Path:"), lean_spec_get_rel_path (spec));

  if (with_body && lean_spec_get_body (spec) != NULL)
    g_string_append_printf (out, "\n%s", lean_spec_get_body (spec));
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');

  ctl_write_human (stdout, out->str, out->len);
}

int
ctl_cmd_show (CtlContext  *ctx,
              int          argc,
              char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  gboolean json = FALSE;
  LeanSpec *spec;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print a JSON object (the list fields plus sub_specs, checklist, content_hash, body)"),
      NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SPEC", _("Show one spec's metadata and body."),
                          _("SPEC is a number (42 or 042), a folder name (042-foo) or a slug (foo)."),
                          entries, 1, 1, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  spec = ctl_resolve_spec (project, specs, problems, argv[1], &exit_code);
  if (spec == NULL)
    return exit_code;

  if (json)
    {
      g_autoptr(JsonNode) node = ctl_spec_to_json (spec, TRUE);
      return ctl_print_json (node) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }

  print_spec_text (ctx, spec, TRUE);
  return CTL_EXIT_OK;
}

/* ------------------------------------------------------------- set, complete */

static int
print_written (CtlContext *ctx,
               LeanSpec   *before,
               LeanSpec   *after,
               gboolean    json)
{
  LeanSpecStatus old_status = lean_spec_get_status (before);
  LeanSpecStatus new_status = lean_spec_get_status (after);
  LeanSpecPriority old_priority = lean_spec_get_priority (before);
  LeanSpecPriority new_priority = lean_spec_get_priority (after);

  if (json)
    {
      g_autoptr(JsonNode) node = ctl_spec_to_json (after, FALSE);
      return ctl_print_json (node) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }

  g_print ("%s:", lean_spec_get_id (after));
  if (old_status != new_status)
    g_print (" status %s → %s", ctl_status_or_none (old_status), ctl_status_or_none (new_status));
  if (old_priority != new_priority)
    g_print (" priority %s → %s",
             old_priority ? lean_spec_priority_to_string (old_priority) : "none",
             new_priority ? lean_spec_priority_to_string (new_priority) : "none");
  if (g_strcmp0 (lean_spec_get_assignee (before), lean_spec_get_assignee (after)) != 0)
    g_print (" assignee %s → %s",
             lean_spec_get_assignee (before) ? lean_spec_get_assignee (before) : "none",
             lean_spec_get_assignee (after) ? lean_spec_get_assignee (after) : "none");
  if (old_status == new_status && old_priority == new_priority &&
      g_strcmp0 (lean_spec_get_assignee (before), lean_spec_get_assignee (after)) == 0)
    g_print (" %s", _("unchanged"));
  g_print ("\n");

  return CTL_EXIT_OK;
}

int
ctl_cmd_set (CtlContext  *ctx,
             int          argc,
             char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(LeanSpec) current = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status_str = NULL;
  g_autofree char *priority_str = NULL;
  g_autofree char *assignee = NULL;
  gboolean force = FALSE;
  gboolean json = FALSE;
  LeanSpecStatus status = LEAN_SPEC_STATUS_NONE;
  LeanSpecPriority priority = LEAN_SPEC_PRIORITY_NONE;
  LeanSpec *spec;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "status", 's', 0, G_OPTION_ARG_STRING, &status_str,
      N_("New status (" STATUS_VALUES ")"), N_("STATUS") },
    { "priority", 'p', 0, G_OPTION_ARG_STRING, &priority_str,
      N_("New priority (" PRIORITY_VALUES ")"), N_("PRIORITY") },
    { "assignee", 'a', 0, G_OPTION_ARG_STRING, &assignee,
      N_("New assignee (\"\" removes it)"), N_("NAME") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      N_("With --status complete: complete even with open checklist items or children"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the spec as written, as a JSON object"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SPEC",
                          _("Change a spec's status, priority or assignee."),
                          _("Only the changed keys of the front matter are rewritten, plus\n"
                            "updated_at as LeanSpec does; every other byte of the file stays as it\n"
                            "was. A status change also appends to transitions and, the first time\n"
                            "the spec becomes complete, sets completed_at. The write is refused if\n"
                            "the file changed on disk after it was read."),
                          entries, 1, 1, &exit_code))
    return exit_code;

  if (status_str == NULL && priority_str == NULL && assignee == NULL)
    return ctl_report_message (CTL_EXIT_USAGE,
                               _("nothing to set: give --status, --priority or --assignee"));
  /* Check every value before touching the file, so a typo writes nothing. */
  if (status_str != NULL && !parse_status (status_str, &status, &exit_code))
    return exit_code;
  if (priority_str != NULL && !parse_priority (priority_str, &priority, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  spec = ctl_resolve_spec (project, specs, problems, argv[1], &exit_code);
  if (spec == NULL)
    return exit_code;

  maybe_pause_before_write ();

  /* Each write hands back a fresh snapshot, which the next write checks
   * against; the status goes first because completing may be refused. */
  current = g_object_ref (spec);
  if (status_str != NULL)
    {
      g_autoptr(LeanSpec) next = NULL;

      if (status == LEAN_SPEC_STATUS_COMPLETE)
        next = lean_spec_writer_complete (project, specs, current, force, &error);
      else
        next = lean_spec_writer_set_status (current, status, &error);
      if (next == NULL)
        return ctl_report_error (error);
      g_set_object (&current, next);
    }
  if (priority_str != NULL)
    {
      g_autoptr(LeanSpec) next = lean_spec_writer_set_priority (current, priority, &error);

      if (next == NULL)
        return ctl_report_error (error);
      g_set_object (&current, next);
    }
  if (assignee != NULL)
    {
      g_autoptr(LeanSpec) next = lean_spec_writer_set_assignee (current, assignee, &error);

      if (next == NULL)
        return ctl_report_error (error);
      g_set_object (&current, next);
    }

  return print_written (ctx, spec, current, json);
}

int
ctl_cmd_complete (CtlContext  *ctx,
                  int          argc,
                  char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(LeanSpec) written = NULL;
  g_autoptr(GError) error = NULL;
  gboolean force = FALSE;
  gboolean json = FALSE;
  LeanSpec *spec;
  int exit_code = CTL_EXIT_OK;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      N_("Complete even with open checklist items or children"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the spec as written, as a JSON object"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "SPEC", _("Mark a spec complete."),
                          _("Refused while the README has unchecked “- [ ]” items or a child spec\n"
                            "(parent: SPEC) is not complete or archived; the error names what is\n"
                            "open. --force completes anyway."),
                          entries, 1, 1, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  spec = ctl_resolve_spec (project, specs, problems, argv[1], &exit_code);
  if (spec == NULL)
    return exit_code;

  maybe_pause_before_write ();

  written = lean_spec_writer_complete (project, specs, spec, force, &error);
  if (written == NULL)
    return ctl_report_error (error);

  return print_written (ctx, spec, written, json);
}

/* ----------------------------------------------------------------- stats */

typedef struct
{
  const char *tag;
  guint       count;
} TagCount;

static int
compare_tag_counts (gconstpointer a,
                    gconstpointer b)
{
  const TagCount *ta = a;
  const TagCount *tb = b;

  if (ta->count != tb->count)
    return ta->count > tb->count ? -1 : 1;
  return strcmp (ta->tag, tb->tag);
}

int
ctl_cmd_stats (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GHashTable) tag_table = NULL;
  g_autoptr(GArray) tag_counts = NULL;
  guint by_status[LEAN_SPEC_N_STATUSES] = { 0 };
  guint by_priority[LEAN_SPEC_N_PRIORITIES] = { 0 };
  gboolean json = FALSE;
  double percent;
  int exit_code = CTL_EXIT_OK;
  GHashTableIter iter;
  gpointer key, value;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON object"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "",
                          _("Count specs by status, priority and tag."),
                          _("Every spec counts, archived ones included. Completion is the share\n"
                            "of specs whose status is complete, as LeanSpec computes it.\n"
                            "JSON keys: total, complete, completion_percent, by_status,\n"
                            "no_status, by_priority, no_priority, by_tag, broken."),
                          entries, 0, 0, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  tag_table = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < specs->len; i++)
    {
      LeanSpec *spec = g_ptr_array_index (specs, i);
      const char * const *tags = lean_spec_get_tags (spec);

      by_status[lean_spec_get_status (spec)]++;
      by_priority[lean_spec_get_priority (spec)]++;
      for (guint t = 0; tags[t] != NULL; t++)
        {
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (tag_table, tags[t]));
          g_hash_table_insert (tag_table, (gpointer)tags[t], GUINT_TO_POINTER (n + 1));
        }
    }

  tag_counts = g_array_sized_new (FALSE, FALSE, sizeof (TagCount), g_hash_table_size (tag_table));
  g_hash_table_iter_init (&iter, tag_table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      TagCount tc = { key, GPOINTER_TO_UINT (value) };
      g_array_append_val (tag_counts, tc);
    }
  g_array_sort (tag_counts, compare_tag_counts);

  percent = specs->len > 0
    ? 100.0 * by_status[LEAN_SPEC_STATUS_COMPLETE] / specs->len
    : 0.0;

  ctl_report_problems (problems);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "total");
      json_builder_add_int_value (builder, specs->len);
      json_builder_set_member_name (builder, "complete");
      json_builder_add_int_value (builder, by_status[LEAN_SPEC_STATUS_COMPLETE]);
      json_builder_set_member_name (builder, "completion_percent");
      /* One decimal, like the text output, without float noise. */
      json_builder_add_double_value (builder, ((gint64)(percent * 10 + 0.5)) / 10.0);
      json_builder_set_member_name (builder, "by_status");
      json_builder_begin_object (builder);
      for (guint s = 1; s < LEAN_SPEC_N_STATUSES; s++)
        {
          json_builder_set_member_name (builder, lean_spec_status_to_string (s));
          json_builder_add_int_value (builder, by_status[s]);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "no_status");
      json_builder_add_int_value (builder, by_status[LEAN_SPEC_STATUS_NONE]);
      json_builder_set_member_name (builder, "by_priority");
      json_builder_begin_object (builder);
      for (guint p = 1; p < LEAN_SPEC_N_PRIORITIES; p++)
        {
          json_builder_set_member_name (builder, lean_spec_priority_to_string (p));
          json_builder_add_int_value (builder, by_priority[p]);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "no_priority");
      json_builder_add_int_value (builder, by_priority[LEAN_SPEC_PRIORITY_NONE]);
      json_builder_set_member_name (builder, "by_tag");
      json_builder_begin_object (builder);
      for (guint t = 0; t < tag_counts->len; t++)
        {
          TagCount *tc = &g_array_index (tag_counts, TagCount, t);
          json_builder_set_member_name (builder, tc->tag);
          json_builder_add_int_value (builder, tc->count);
        }
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "broken");
      json_builder_add_int_value (builder, problems != NULL ? problems->len : 0);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      return ctl_print_json (root) ? CTL_EXIT_OK : CTL_EXIT_FAILED;
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);
      g_autofree char *title = ctl_style (ctx, "1", _("Specs"));

      g_string_append_printf (out, "%s: %u", title, specs->len);
      if (problems != NULL && problems->len > 0)
        g_string_append_printf (out, ngettext (" (%u broken file skipped)",
                                               " (%u broken files skipped)", problems->len),
                                problems->len);
      g_string_append_printf (out, _("\nCompletion: %.1f%% (%u of %u complete)\n"),
                              percent, by_status[LEAN_SPEC_STATUS_COMPLETE], specs->len);

      g_string_append_printf (out, "\n%s\n", _("By status:"));
      for (guint s = 1; s < LEAN_SPEC_N_STATUSES; s++)
        {
          g_autofree char *label = g_strdup_printf ("%-12s", lean_spec_status_to_string (s));
          g_autofree char *styled = ctl_style (ctx, ctl_status_sgr (s), label);
          g_string_append_printf (out, "  %s %6u\n", styled, by_status[s]);
        }
      if (by_status[LEAN_SPEC_STATUS_NONE] > 0)
        g_string_append_printf (out, "  %-12s %6u\n", "none", by_status[LEAN_SPEC_STATUS_NONE]);

      g_string_append_printf (out, "\n%s\n", _("By priority:"));
      for (guint p = 1; p < LEAN_SPEC_N_PRIORITIES; p++)
        g_string_append_printf (out, "  %-12s %6u\n", lean_spec_priority_to_string (p), by_priority[p]);
      g_string_append_printf (out, "  %-12s %6u\n", "none", by_priority[LEAN_SPEC_PRIORITY_NONE]);

      if (tag_counts->len > 0)
        {
          glong column = 12;

          for (guint t = 0; t < tag_counts->len; t++)
            column = MAX (column, g_utf8_strlen (g_array_index (tag_counts, TagCount, t).tag, -1));

          g_string_append_printf (out, "\n%s\n", _("By tag:"));
          for (guint t = 0; t < tag_counts->len; t++)
            {
              TagCount *tc = &g_array_index (tag_counts, TagCount, t);
              glong width = g_utf8_strlen (tc->tag, -1);

              g_string_append_printf (out, "  %s", tc->tag);
              for (glong pad = width; pad < column; pad++)
                g_string_append_c (out, ' ');
              g_string_append_printf (out, " %6u\n", tc->count);
            }
        }

      ctl_write_human (stdout, out->str, out->len);
    }

  return CTL_EXIT_OK;
}

/* ----------------------------------------------------------------- board */

int
ctl_cmd_board (CtlContext  *ctx,
               int          argc,
               char       **argv)
{
  g_autoptr(LeanProject) project = NULL;
  g_autoptr(GPtrArray) specs = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean all = FALSE;
  int exit_code = CTL_EXIT_OK;
  /* Board order: work that has not started, then work under way, then done. */
  static const LeanSpecStatus columns[] = {
    LEAN_SPEC_STATUS_NONE, LEAN_SPEC_STATUS_DRAFT, LEAN_SPEC_STATUS_PLANNED,
    LEAN_SPEC_STATUS_IN_PROGRESS, LEAN_SPEC_STATUS_COMPLETE, LEAN_SPEC_STATUS_ARCHIVED,
  };
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Include archived specs"), NULL },
    { NULL }
  };

  if (!ctl_parse_options (&argc, &argv, "", _("Show specs grouped by status."),
                          _("Groups are draft, planned, in-progress and complete (and archived\n"
                            "with --all); empty groups are left out. Colours are used only when\n"
                            "stdout is a terminal and NO_COLOR is not set."),
                          entries, 0, 0, &exit_code))
    return exit_code;

  if (!ctl_load_project (ctx, &project, &specs, &problems, &exit_code))
    return exit_code;

  ctl_report_problems (problems);

  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    {
      g_autoptr(GPtrArray) group = g_ptr_array_new ();
      g_autofree char *heading = NULL;
      g_autofree char *styled = NULL;
      glong id_width = 0;

      for (guint i = 0; i < specs->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (specs, i);
          gboolean archived = lean_spec_is_archived (spec);
          LeanSpecStatus column = archived ? LEAN_SPEC_STATUS_ARCHIVED : lean_spec_get_status (spec);

          if (column != columns[c])
            continue;
          if (archived && !all)
            continue;
          g_ptr_array_add (group, spec);
        }
      if (group->len == 0)
        continue;

      heading = g_strdup_printf ("%s (%u)", columns[c] == LEAN_SPEC_STATUS_NONE
                                              ? _("No Status")
                                              : lean_spec_status_get_label (columns[c]),
                                 group->len);
      styled = ctl_style (ctx, ctl_status_sgr (columns[c]), heading);
      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append_printf (out, "%s\n", styled);

      for (guint i = 0; i < group->len; i++)
        id_width = MAX (id_width, g_utf8_strlen (lean_spec_get_id (g_ptr_array_index (group, i)), -1));

      for (guint i = 0; i < group->len; i++)
        {
          LeanSpec *spec = g_ptr_array_index (group, i);
          const char *prio = lean_spec_priority_to_string (lean_spec_get_priority (spec));
          const char *assignee = lean_spec_get_assignee (spec);

          g_string_append_printf (out, "  %s", lean_spec_get_id (spec));
          for (glong pad = g_utf8_strlen (lean_spec_get_id (spec), -1); pad < id_width; pad++)
            g_string_append_c (out, ' ');
          g_string_append_printf (out, "  %s", lean_spec_get_title (spec));
          if (prio != NULL)
            {
              g_autofree char *tag = g_strdup_printf ("[%s]", prio);
              g_autofree char *tag_styled = ctl_style (ctx, "2", tag);
              g_string_append_printf (out, "  %s", tag_styled);
            }
          if (assignee != NULL)
            g_string_append_printf (out, "  @%s", assignee);
          g_string_append_c (out, '\n');
        }
    }

  if (out->len == 0)
    g_string_append_printf (out, "%s\n", _("No specs."));

  ctl_write_human (stdout, out->str, out->len);
  return CTL_EXIT_OK;
}
