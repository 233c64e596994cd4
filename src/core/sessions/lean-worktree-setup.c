/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-error.h"
#include "lean-file.h"
#include "lean-git.h"
#include "lean-json.h"
#include "lean-session-review.h"
#include "lean-worktree-setup.h"

#define MAX_SETUP_FILE_SIZE (64 * 1024)
#define MAX_COPIES 64
/* What of the setup command's output a note keeps. */
#define OUTPUT_TAIL 2000

typedef struct
{
  GPtrArray *copy;    /* char *: relative paths */
  char      *setup;   /* shell command, or NULL */
} Setup;

static void
setup_clear (Setup *setup)
{
  g_clear_pointer (&setup->copy, g_ptr_array_unref);
  g_clear_pointer (&setup->setup, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Setup, setup_clear)

static gboolean
parse (GBytes   *bytes,
       Setup    *setup,
       GError  **error)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autoptr(JsonNode) root = lean_json_parse (data, len, 4, error);
  JsonObject *object;
  JsonNode *node;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s must be a JSON object"), LEAN_WORKTREE_SETUP_FILE);
      return FALSE;
    }
  object = json_node_get_object (root);
  setup->copy = g_ptr_array_new_with_free_func (g_free);

  node = json_object_get_member (object, "copy");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array) && i < MAX_COPIES; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          const char *path;

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            continue;
          path = json_node_get_string (item);
          /* Relative, inside the project: no absolute paths, no "..". */
          if (path == NULL || *path == '\0' || g_path_is_absolute (path) ||
              g_str_equal (path, "..") || g_str_has_prefix (path, "../") ||
              strstr (path, "/../") != NULL || g_str_has_suffix (path, "/.."))
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("%s: “copy” names “%s”, which is not a path inside the project"),
                           LEAN_WORKTREE_SETUP_FILE, path != NULL ? path : "");
              return FALSE;
            }
          g_ptr_array_add (setup->copy, g_strdup (path));
        }
    }
  node = json_object_get_member (object, "setup");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING && *json_node_get_string (node) != '\0')
    setup->setup = g_strdup (json_node_get_string (node));
  return TRUE;
}

static GBytes *
read_setup (const char  *project_path,
            char       **real_path,
            char       **sha256,
            GError     **error)
{
  g_autofree char *path = g_build_filename (project_path, LEAN_WORKTREE_SETUP_FILE, NULL);

  return lean_trust_read_file (path, MAX_SETUP_FILE_SIZE, real_path, sha256, error);
}

LeanTrustRequest *
lean_worktree_setup_get_request (const char  *project_path,
                                 GError     **error)
{
  g_autofree char *real = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GBytes) bytes = read_setup (project_path, &real, &sha, error);
  g_auto(Setup) setup = { 0 };
  LeanTrustRequest *request;

  if (bytes == NULL)
    return NULL;
  request = lean_trust_request_new (real, sha,
                                    lean_trust_store_lookup (lean_trust_store_get_default (),
                                                             real, sha));
  if (!parse (bytes, &setup, error))
    {
      lean_trust_request_unref (request);
      return NULL;
    }
  if (setup.setup != NULL)
    {
      LeanTrustCommand *command = g_new0 (LeanTrustCommand, 1);

      command->label = g_strdup (_("Worktree setup command"));
      command->argv = g_new0 (char *, 4);
      command->argv[0] = g_strdup ("/bin/sh");
      command->argv[1] = g_strdup ("-c");
      command->argv[2] = g_strdup (setup.setup);
      command->prompt_index = -1;
      g_ptr_array_add (request->commands, command);
    }
  for (guint i = 0; i < setup.copy->len; i++)
    g_ptr_array_add (request->notes,
                     g_strdup_printf (_("Copies “%s” into each new worktree"),
                                      (char *)g_ptr_array_index (setup.copy, i)));
  return request;
}

static gboolean
copy_one (const char  *project_path,
          const char  *worktree_dir,
          const char  *relative,
          GError     **error)
{
  g_autofree char *from = g_build_filename (project_path, relative, NULL);
  g_autofree char *to = g_build_filename (worktree_dir, relative, NULL);
  g_autofree char *parent = g_path_get_dirname (to);
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) dest = NULL;

  /* A symlink out of the project copies nothing from outside it. */
  if (!lean_file_is_in_project (project_path, from))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: “%s” is outside the project"), LEAN_WORKTREE_SETUP_FILE, relative);
      return FALSE;
    }
  if (!g_file_test (from, G_FILE_TEST_IS_REGULAR))
    return TRUE;   /* nothing to copy: a missing .env is not an error */
  if (g_mkdir_with_parents (parent, 0700) < 0)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED, _("Could not create “%s”"), parent);
      return FALSE;
    }
  source = g_file_new_for_path (from);
  dest = g_file_new_for_path (to);
  return g_file_copy (source, dest, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL,
                      NULL, NULL, error);
}

gboolean
lean_worktree_setup_run (const char  *project_path,
                         const char  *worktree_dir,
                         char       **note,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *real = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GBytes) bytes = read_setup (project_path, &real, &sha, &local_error);
  g_auto(Setup) setup = { 0 };
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  int status = 0;
  const char *argv[] = { "/bin/sh", "-c", NULL, NULL };

  if (note != NULL)
    *note = NULL;
  if (bytes == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (lean_trust_store_lookup (lean_trust_store_get_default (), real, sha) != LEAN_TRUST_TRUSTED)
    {
      if (note != NULL)
        *note = g_strdup_printf (_("%s was not used: it is not trusted. Review it with "
                                   "“leanspec-ctl trust --worktree --show” and trust it with "
                                   "“leanspec-ctl trust --worktree”."), LEAN_WORKTREE_SETUP_FILE);
      return TRUE;
    }
  if (!parse (bytes, &setup, error))
    return FALSE;

  for (guint i = 0; i < setup.copy->len; i++)
    if (!copy_one (project_path, worktree_dir, g_ptr_array_index (setup.copy, i), error))
      return FALSE;

  if (setup.setup == NULL)
    return TRUE;
  argv[2] = setup.setup;
  if (!g_spawn_sync (worktree_dir, (char **)argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                     &output, &errors, &status, error))
    return FALSE;
  if (note != NULL)
    {
      g_autofree char *all = g_strconcat (output != NULL ? output : "",
                                          errors != NULL ? errors : "", NULL);
      gsize len = strlen (all);

      if (len > 0)
        *note = g_strdup (len > OUTPUT_TAIL ? all + len - OUTPUT_TAIL : all);
    }
  if (!g_spawn_check_wait_status (status, &local_error))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_FAILED,
                   _("The worktree setup command of %s failed: %s"), LEAN_WORKTREE_SETUP_FILE,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
lean_worktree_prepare (const LeanSessionRequest  *request,
                       const char                *session_id,
                       char                     **worktree_path,
                       char                     **branch,
                       char                     **cwd,
                       char                     **setup_note,
                       GError                   **error)
{
  g_autofree char *root = NULL;
  g_autofree char *canon_project = NULL;
  g_autofree char *canon_root = NULL;

  *worktree_path = *branch = *cwd = *setup_note = NULL;
  if (!request->use_worktree && request->worktree_path == NULL)
    {
      *cwd = g_strdup (request->project_path);
      return TRUE;
    }

  root = lean_git_find_repo_root (request->project_path, error);
  if (root == NULL)
    {
      g_prefix_error (error, _("A git worktree was asked for, but: "));
      return FALSE;
    }
  if (request->worktree_path != NULL)
    {
      if (!g_file_test (request->worktree_path, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_FOUND,
                       _("The worktree “%s” is gone"), request->worktree_path);
          return FALSE;
        }
      *worktree_path = g_strdup (request->worktree_path);
      *branch = g_strdup (request->branch);
    }
  else
    {
      *branch = lean_git_branch_name_for_session (request->spec_id, session_id);
      *worktree_path = lean_git_default_worktree_path (root, request->spec_id, session_id);
      if (!lean_git_create_worktree (root, *branch, *worktree_path, error))
        {
          g_clear_pointer (branch, g_free);
          g_clear_pointer (worktree_path, g_free);
          return FALSE;
        }
    }

  /* A project in a sub-folder of its repository runs in the same
   * sub-folder of the worktree. */
  canon_project = g_canonicalize_filename (request->project_path, NULL);
  canon_root = g_canonicalize_filename (root, NULL);
  if (g_str_has_prefix (canon_project, canon_root) &&
      canon_project[strlen (canon_root)] == G_DIR_SEPARATOR)
    *cwd = g_build_filename (*worktree_path, canon_project + strlen (canon_root) + 1, NULL);
  else
    *cwd = g_strdup (*worktree_path);

  /* A follow-up's worktree was set up when it was made. */
  if (request->worktree_path == NULL &&
      !lean_worktree_setup_run (request->project_path, *cwd, setup_note, error))
    return FALSE;
  return TRUE;
}

void
lean_worktree_record_prep (LeanSessionDb *db,
                           const char    *session_id,
                           const char    *base,
                           const char    *setup_note)
{
  if (base != NULL)
    lean_session_db_add_event (db, session_id, LEAN_SESSION_EVENT_GIT_BASE, base);
  if (setup_note != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *json = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, setup_note);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      json = json_generator_to_data (gen, NULL);
      lean_session_db_add_event (db, session_id, "worktree-setup", json);
    }
}
