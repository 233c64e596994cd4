/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "lean-agent-private.h"
#include "lean-error.h"

struct _LeanAgent
{
  GObject          parent_instance;

  LeanAgentKind    kind;
  LeanAgentSource  source;
  char            *id;
  char            *name;
  char            *executable;
  char            *path;
  char            *version;
  char            *install_hint;
  char            *default_model;
  char           **env;            /* KEY=VALUE */
  LeanAgentOutput  output;         /* autonomous mode */
  gboolean         installed;
  /* Builtins and the person's own runners.json are trusted; a project's
   * entry only while its file's content is. */
  gboolean         trusted;
  char            *origin;         /* the runners.json it came from, or NULL */

  /* GENERIC only: command args [prompt_flag] prompt */
  char           **args;
  char            *prompt_flag;    /* NULL: positional; "-": on stdin */
  char            *model_flag;     /* NULL: the model is not passed */
};

G_DEFINE_FINAL_TYPE (LeanAgent, lean_agent, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_EXECUTABLE,
  PROP_PATH,
  PROP_INSTALLED,
  PROP_VERSION,
  PROP_INSTALL_HINT,
  PROP_OUTPUT,
  PROP_SOURCE,
  PROP_DEFAULT_MODEL,
  PROP_TRUSTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  const char      *id;
  const char      *name;
  const char      *executable;
  const char      *install_hint;
  LeanAgentOutput  output;
} BuiltinInfo;

/* Install hints are what each vendor documents for Linux. */
static const BuiltinInfo builtins[LEAN_AGENT_N_BUILTINS] = {
  [LEAN_AGENT_KIND_CLAUDE] = { "claude", "Claude Code", "claude",
    "npm install -g @anthropic-ai/claude-code", LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON },
  [LEAN_AGENT_KIND_CODEX] = { "codex", "Codex", "codex",
    "npm install -g @openai/codex", LEAN_AGENT_OUTPUT_CODEX_JSON },
  [LEAN_AGENT_KIND_GEMINI] = { "gemini", "Gemini CLI", "gemini",
    "npm install -g @google/gemini-cli", LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON },
  [LEAN_AGENT_KIND_COPILOT] = { "copilot", "GitHub Copilot CLI", "copilot",
    "npm install -g @github/copilot", LEAN_AGENT_OUTPUT_TEXT },
  /* cursor-agent's stream-json is Claude Code's format. */
  [LEAN_AGENT_KIND_CURSOR] = { "cursor", "Cursor Agent", "cursor-agent",
    "curl https://cursor.com/install -fsS | bash", LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON },
  [LEAN_AGENT_KIND_OPENCODE] = { "opencode", "OpenCode", "opencode",
    "npm install -g opencode-ai", LEAN_AGENT_OUTPUT_TEXT },
  /* Amp's --stream-json is documented as Claude Code compatible. */
  [LEAN_AGENT_KIND_AMP] = { "amp", "Amp", "amp",
    "npm install -g @sourcegraph/amp", LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON },
  [LEAN_AGENT_KIND_AIDER] = { "aider", "Aider", "aider",
    "python3 -m pip install aider-install && aider-install", LEAN_AGENT_OUTPUT_TEXT },
};

static const char *output_names[] = {
  [LEAN_AGENT_OUTPUT_TEXT] = "text",
  [LEAN_AGENT_OUTPUT_CLAUDE_STREAM_JSON] = "claude-stream-json",
  [LEAN_AGENT_OUTPUT_CODEX_JSON] = "codex-json",
  [LEAN_AGENT_OUTPUT_GEMINI_STREAM_JSON] = "gemini-stream-json",
};

const char *
lean_agent_output_to_string (LeanAgentOutput output)
{
  if ((guint)output >= G_N_ELEMENTS (output_names))
    return NULL;
  return output_names[output];
}

gboolean
lean_agent_output_from_string (const char      *str,
                               LeanAgentOutput *output)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (output_names); i++)
    {
      if (g_ascii_strcasecmp (str, output_names[i]) == 0)
        {
          if (output != NULL)
            *output = (LeanAgentOutput)i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
lean_agent_finalize (GObject *object)
{
  LeanAgent *self = (LeanAgent *)object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->executable);
  g_free (self->path);
  g_free (self->version);
  g_free (self->install_hint);
  g_free (self->default_model);
  g_strfreev (self->env);
  g_strfreev (self->args);
  g_free (self->prompt_flag);
  g_free (self->model_flag);
  g_free (self->origin);

  G_OBJECT_CLASS (lean_agent_parent_class)->finalize (object);
}

static void
lean_agent_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LeanAgent *self = LEAN_AGENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_EXECUTABLE:
      g_value_set_string (value, self->executable);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_INSTALLED:
      g_value_set_boolean (value, self->installed);
      break;
    case PROP_VERSION:
      g_value_set_string (value, self->version);
      break;
    case PROP_INSTALL_HINT:
      g_value_set_string (value, self->install_hint);
      break;
    case PROP_OUTPUT:
      g_value_set_int (value, self->output);
      break;
    case PROP_SOURCE:
      g_value_set_int (value, self->source);
      break;
    case PROP_DEFAULT_MODEL:
      g_value_set_string (value, self->default_model);
      break;
    case PROP_TRUSTED:
      g_value_set_boolean (value, self->trusted);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_agent_class_init (LeanAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lean_agent_finalize;
  object_class->get_property = lean_agent_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_EXECUTABLE] = g_param_spec_string ("executable", NULL, NULL, NULL, flags);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, flags);
  properties[PROP_INSTALLED] = g_param_spec_boolean ("installed", NULL, NULL, FALSE, flags);
  properties[PROP_VERSION] = g_param_spec_string ("version", NULL, NULL, NULL, flags);
  properties[PROP_INSTALL_HINT] = g_param_spec_string ("install-hint", NULL, NULL, NULL, flags);
  properties[PROP_OUTPUT] = g_param_spec_int ("output", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_SOURCE] = g_param_spec_int ("source", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_DEFAULT_MODEL] = g_param_spec_string ("default-model", NULL, NULL, NULL, flags);
  properties[PROP_TRUSTED] = g_param_spec_boolean ("trusted", NULL, NULL, TRUE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_agent_init (LeanAgent *self)
{
  self->env = g_new0 (char *, 1);
  self->trusted = TRUE;
}

LeanAgent *
_lean_agent_new_builtin (LeanAgentKind kind)
{
  LeanAgent *self;

  g_return_val_if_fail (kind < LEAN_AGENT_N_BUILTINS, NULL);

  self = g_object_new (LEAN_TYPE_AGENT, NULL);
  self->kind = kind;
  self->source = LEAN_AGENT_SOURCE_BUILTIN;
  self->id = g_strdup (builtins[kind].id);
  self->name = g_strdup (builtins[kind].name);
  self->executable = g_strdup (builtins[kind].executable);
  self->install_hint = g_strdup (builtins[kind].install_hint);
  self->output = builtins[kind].output;
  return self;
}

static gboolean
get_optional_string (JsonObject  *object,
                     const char  *member,
                     const char  *where,
                     char       **out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: \"%s\" must be a string"), where, member);
      return FALSE;
    }

  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

LeanAgent *
_lean_agent_new_from_json (const char      *id,
                           JsonObject      *object,
                           LeanAgentSource  source,
                           LeanAgent       *base,
                           GError         **error)
{
  g_autoptr(LeanAgent) self = NULL;
  g_autofree char *where = g_strdup_printf ("runner \"%s\"", id);
  g_autofree char *output = NULL;
  JsonNode *node;

  g_return_val_if_fail (id != NULL && object != NULL, NULL);

  self = g_object_new (LEAN_TYPE_AGENT, NULL);
  self->id = g_strdup (id);
  self->source = source;

  if (base != NULL)
    {
      self->kind = base->kind;
      self->name = g_strdup (base->name);
      self->executable = g_strdup (base->executable);
      self->install_hint = g_strdup (base->install_hint);
      self->default_model = g_strdup (base->default_model);
      g_strfreev (self->env);
      self->env = g_strdupv (base->env);
      self->output = base->output;
      self->args = g_strdupv (base->args);
      self->prompt_flag = g_strdup (base->prompt_flag);
      self->model_flag = g_strdup (base->model_flag);
    }
  else
    {
      self->kind = LEAN_AGENT_KIND_GENERIC;
      self->output = LEAN_AGENT_OUTPUT_TEXT;
    }

  if (!get_optional_string (object, "name", where, &self->name, error) ||
      !get_optional_string (object, "command", where, &self->executable, error) ||
      !get_optional_string (object, "model", where, &self->default_model, error) ||
      !get_optional_string (object, "model_flag", where, &self->model_flag, error) ||
      !get_optional_string (object, "install_hint", where, &self->install_hint, error) ||
      !get_optional_string (object, "output", where, &output, error))
    return NULL;

  if (self->executable == NULL || self->executable[0] == '\0')
    {
      /* LeanSpec lists IDE extensions as runners without a command: there is
       * nothing for us to start, so they are left out, not an error. */
      return NULL;
    }

  if (output != NULL && !lean_agent_output_from_string (output, &self->output))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("%s: unknown \"output\" \"%s\" (use text, claude-stream-json, "
                   "codex-json or gemini-stream-json)"), where, output);
      return NULL;
    }

  /* Explicit "args" or "prompt_flag" replace a builtin's own command line by
   * LeanSpec's generic one: command args [prompt_flag] prompt. */
  node = json_object_get_member (object, "args");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonArray *array;
      GPtrArray *args;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"args\" must be a list of strings"), where);
          return NULL;
        }
      array = json_node_get_array (node);
      args = g_ptr_array_new ();
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING)
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("%s: \"args\" must be a list of strings (item %u is not)"),
                           where, i + 1);
              g_strfreev ((char **)g_ptr_array_free (args, FALSE));
              return NULL;
            }
          g_ptr_array_add (args, g_strdup (json_node_get_string (element)));
        }
      g_ptr_array_add (args, NULL);
      g_strfreev (self->args);
      self->args = (char **)g_ptr_array_free (args, FALSE);
      self->kind = LEAN_AGENT_KIND_GENERIC;
    }

  if (json_object_has_member (object, "prompt_flag"))
    {
      node = json_object_get_member (object, "prompt_flag");
      g_clear_pointer (&self->prompt_flag, g_free);
      if (!get_optional_string (object, "prompt_flag", where, &self->prompt_flag, error))
        return NULL;
      self->kind = LEAN_AGENT_KIND_GENERIC;
    }

  node = json_object_get_member (object, "env");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonObject *env;
      g_autoptr(GList) members = NULL;
      char **merged;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                       _("%s: \"env\" must be an object of strings"), where);
          return NULL;
        }
      env = json_node_get_object (node);
      members = json_object_get_members (env);
      merged = g_strdupv (self->env);
      for (const GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (env, l->data);

          if (!JSON_NODE_HOLDS_VALUE (value) ||
              json_node_get_value_type (value) != G_TYPE_STRING ||
              strchr (l->data, '=') != NULL || *(const char *)l->data == '\0')
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("%s: env \"%s\" must be a string"), where,
                           (const char *)l->data);
              g_strfreev (merged);
              return NULL;
            }
          if (source == LEAN_AGENT_SOURCE_PROJECT &&
              !lean_agent_env_allowed_from_project (l->data))
            {
              g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("%s: a project cannot set the variable \"%s\" (it changes "
                             "which program runs or what it loads); the runner was ignored"),
                           where, (const char *)l->data);
              g_strfreev (merged);
              return NULL;
            }
          merged = g_environ_setenv (merged, l->data, json_node_get_string (value), TRUE);
        }
      g_strfreev (self->env);
      self->env = merged;
    }

  if (self->name == NULL)
    self->name = g_strdup (id);
  if (self->install_hint == NULL)
    self->install_hint = g_strdup_printf (_("Install “%s” and make sure it is on PATH"),
                                          self->executable);

  return g_steal_pointer (&self);
}

/* What a project's runners.json may not set for its agents: variables that
 * pick another program (PATH) or load code into the one that runs (the
 * dynamic linker's, Node's, Python's, Perl's, Ruby's and the shells'
 * start-up hooks). The person's own runners.json may set anything. */
static const char * const project_env_denied[] = {
  "PATH", "NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME",
  "PERL5OPT", "PERL5LIB", "PERLLIB", "RUBYOPT", "RUBYLIB", "BASH_ENV", "ENV", "SHELLOPTS",
  "BASHOPTS", "GCONV_PATH", "IFS",
};
static const char * const project_env_denied_prefixes[] = { "LD_", "DYLD_", "LEANSPEC_" };

gboolean
lean_agent_env_allowed_from_project (const char *key)
{
  g_return_val_if_fail (key != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (project_env_denied); i++)
    if (g_str_equal (key, project_env_denied[i]))
      return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (project_env_denied_prefixes); i++)
    if (g_str_has_prefix (key, project_env_denied_prefixes[i]))
      return FALSE;
  return TRUE;
}

char *
_lean_agent_user_path (void)
{
  const char *path = g_getenv ("PATH");
  g_auto(GStrv) dirs = NULL;
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  if (path == NULL)
    path = "/usr/local/bin:/usr/bin:/bin";
  dirs = g_strsplit (path, ":", -1);
  for (guint i = 0; dirs[i] != NULL; i++)
    if (g_path_is_absolute (dirs[i]))
      g_ptr_array_add (kept, dirs[i]);
  g_ptr_array_add (kept, NULL);
  return g_strjoinv (":", (char **)kept->pdata);
}

/* g_set_str() is GLib 2.76. */
static gboolean
set_str (char       **str,
         const char  *value)
{
  if (g_strcmp0 (*str, value) == 0)
    return FALSE;
  g_free (*str);
  *str = g_strdup (value);
  return TRUE;
}

void
_lean_agent_set_detected (LeanAgent  *self,
                          gboolean    installed,
                          const char *path,
                          const char *version)
{
  g_return_if_fail (LEAN_IS_AGENT (self));

  installed = !!installed;
  if (self->installed != installed)
    {
      self->installed = installed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INSTALLED]);
    }
  if (set_str (&self->path, path))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
  if (set_str (&self->version, version))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VERSION]);
}

void
_lean_agent_set_trust (LeanAgent  *self,
                       gboolean    trusted,
                       const char *origin)
{
  g_return_if_fail (LEAN_IS_AGENT (self));

  g_free (self->origin);
  self->origin = g_strdup (origin);
  trusted = !!trusted;
  if (self->trusted != trusted)
    {
      self->trusted = trusted;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TRUSTED]);
    }
}

gboolean
lean_agent_get_trusted (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), FALSE);
  return self->trusted;
}

const char *
lean_agent_get_origin (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->origin;
}

const char *
lean_agent_get_id (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->id;
}

const char *
lean_agent_get_name (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->name;
}

const char *
lean_agent_get_executable (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->executable;
}

const char *
lean_agent_get_path (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->path;
}

gboolean
lean_agent_get_installed (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), FALSE);
  return self->installed;
}

const char *
lean_agent_get_version (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->version;
}

const char *
lean_agent_get_install_hint (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->install_hint;
}

LeanAgentSource
lean_agent_get_source (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), LEAN_AGENT_SOURCE_BUILTIN);
  return self->source;
}

const char *
lean_agent_get_default_model (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return self->default_model;
}

const char * const *
lean_agent_get_env (LeanAgent *self)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  return (const char * const *)self->env;
}

gboolean
lean_agent_supports_mode (LeanAgent       *self,
                          LeanSessionMode  mode)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), FALSE);

  if (mode == LEAN_SESSION_MODE_AUTONOMOUS)
    return TRUE;

  /* Amp and Aider take a prompt only in their one-shot modes; their TUIs
   * would start without it. */
  switch (self->kind)
    {
    case LEAN_AGENT_KIND_AMP:
    case LEAN_AGENT_KIND_AIDER:
      return FALSE;
    case LEAN_AGENT_KIND_CLAUDE:
    case LEAN_AGENT_KIND_CODEX:
    case LEAN_AGENT_KIND_GEMINI:
    case LEAN_AGENT_KIND_COPILOT:
    case LEAN_AGENT_KIND_CURSOR:
    case LEAN_AGENT_KIND_OPENCODE:
    case LEAN_AGENT_KIND_GENERIC:
    default:
      return TRUE;
    }
}

LeanAgentOutput
lean_agent_get_output (LeanAgent       *self,
                       LeanSessionMode  mode)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), LEAN_AGENT_OUTPUT_TEXT);

  /* A generic runner has one command line for both modes, so what it prints
   * does not depend on the mode. */
  if (mode == LEAN_SESSION_MODE_GUIDED && self->kind != LEAN_AGENT_KIND_GENERIC)
    return LEAN_AGENT_OUTPUT_TEXT;
  return self->output;
}

static void
add (GPtrArray  *argv,
     const char *arg)
{
  g_ptr_array_add (argv, g_strdup (arg));
}

static void
add_model (GPtrArray  *argv,
           const char *flag,
           const char *model)
{
  if (model == NULL || model[0] == '\0')
    return;
  add (argv, flag);
  add (argv, model);
}

static char **
build_argv (LeanAgent        *self,
            LeanSessionMode   mode,
            const char       *model,
            const char       *prompt,
            GBytes          **stdin_data,
            GError          **error)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autofree char *arg_prompt = NULL;
  const char *original;
  gboolean autonomous = (mode == LEAN_SESSION_MODE_AUTONOMOUS);
  gboolean too_long;

  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  g_return_val_if_fail (stdin_data != NULL && *stdin_data == NULL, NULL);

  if (prompt == NULL || prompt[0] == '\0')
    {
      g_set_error_literal (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                           _("The prompt is empty: write what the agent should do"));
      return NULL;
    }

  if (!lean_agent_supports_mode (self, mode))
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_SUPPORTED,
                   _("%s has no guided mode that takes a prompt; use autonomous mode"),
                   self->name);
      return NULL;
    }

  if (model == NULL || model[0] == '\0')
    model = self->default_model;

  /* A prompt that starts with '-' (an edited prompt beginning with a
   * checklist item) would be read as an option by the agent's argument
   * parser. A leading space changes nothing for the model. */
  original = prompt;
  if (prompt[0] == '-')
    prompt = arg_prompt = g_strconcat (" ", prompt, NULL);

  too_long = strlen (prompt) > LEAN_AGENT_MAX_ARG_PROMPT;
  argv = g_ptr_array_new_with_free_func (g_free);
  add (argv, self->executable);

  switch (self->kind)
    {
    case LEAN_AGENT_KIND_CLAUDE:
      if (autonomous)
        {
          add (argv, "-p");
          add (argv, "--verbose");
          add (argv, "--output-format");
          add (argv, "stream-json");
          add_model (argv, "--model", model);
          add (argv, "--permission-mode");
          add (argv, "acceptEdits");
          /* claude -p reads the prompt from its input when none is given. */
          if (too_long)
            *stdin_data = g_bytes_new (original, strlen (original));
          else
            add (argv, prompt);
        }
      else
        {
          add_model (argv, "--model", model);
          add (argv, prompt);
        }
      break;

    case LEAN_AGENT_KIND_CODEX:
      if (autonomous)
        {
          add (argv, "exec");
          add (argv, "--json");
          add_model (argv, "-m", model);
          add (argv, "--sandbox");
          add (argv, "workspace-write");
          /* codex exec reads the instructions from its input for "-". */
          if (too_long)
            {
              add (argv, "-");
              *stdin_data = g_bytes_new (original, strlen (original));
            }
          else
            add (argv, prompt);
        }
      else
        {
          add_model (argv, "-m", model);
          add (argv, prompt);
        }
      break;

    case LEAN_AGENT_KIND_GEMINI:
      if (autonomous)
        {
          add (argv, "--output-format");
          add (argv, "stream-json");
          add (argv, "--yolo");
          add_model (argv, "-m", model);
          add (argv, "-p");
        }
      else
        {
          add_model (argv, "-m", model);
          add (argv, "--prompt-interactive");
        }
      add (argv, prompt);
      break;

    case LEAN_AGENT_KIND_COPILOT:
      if (autonomous)
        {
          add (argv, "--allow-all-tools");
          add_model (argv, "--model", model);
          add (argv, "-p");
        }
      else
        {
          add_model (argv, "--model", model);
          add (argv, "-i");
        }
      add (argv, prompt);
      break;

    case LEAN_AGENT_KIND_CURSOR:
      if (autonomous)
        {
          add (argv, "-p");
          add (argv, "--output-format");
          add (argv, "stream-json");
          add (argv, "--force");
        }
      add_model (argv, "--model", model);
      add (argv, prompt);
      break;

    case LEAN_AGENT_KIND_OPENCODE:
      if (autonomous)
        {
          add (argv, "run");
          add (argv, "--format");
          add (argv, "json");
          add_model (argv, "-m", model);
        }
      else
        {
          add_model (argv, "-m", model);
          add (argv, "--prompt");
        }
      add (argv, prompt);
      break;

    case LEAN_AGENT_KIND_AMP:
      /* Amp picks its model by mode, it has no model option. */
      add (argv, "--execute");
      add (argv, prompt);
      add (argv, "--stream-json");
      break;

    case LEAN_AGENT_KIND_AIDER:
      add (argv, "--no-auto-commits");
      add (argv, "--yes-always");
      add_model (argv, "--model", model);
      add (argv, "--message");
      add (argv, prompt);
      break;

    case LEAN_AGENT_KIND_GENERIC:
    default:
      for (guint i = 0; self->args != NULL && self->args[i] != NULL; i++)
        add (argv, self->args[i]);
      if (self->model_flag != NULL)
        add_model (argv, self->model_flag, model);
      if (g_strcmp0 (self->prompt_flag, "-") == 0)
        {
          *stdin_data = g_bytes_new (original, strlen (original));
          too_long = FALSE;
        }
      else
        {
          if (self->prompt_flag != NULL && self->prompt_flag[0] != '\0')
            add (argv, self->prompt_flag);
          add (argv, prompt);
        }
      break;
    }

  if (too_long && *stdin_data == NULL)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
                   _("The prompt is %zu KiB, more than %s takes on its command line "
                   "(%u KiB); shorten it"),
                   strlen (prompt) / 1024, self->name, LEAN_AGENT_MAX_ARG_PROMPT / 1024);
      return NULL;
    }

  g_ptr_array_add (argv, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

gboolean
lean_agent_can_resume (LeanAgent       *self,
                       LeanSessionMode  mode)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), FALSE);

  return self->kind == LEAN_AGENT_KIND_CLAUDE ||
         (self->kind == LEAN_AGENT_KIND_CODEX && mode == LEAN_SESSION_MODE_AUTONOMOUS);
}

char **
lean_agent_resume_argv (LeanAgent       *self,
                        LeanSessionMode  mode,
                        char           **argv,
                        const char      *agent_session_id)
{
  g_autoptr(GPtrArray) out = NULL;
  guint n;

  g_return_val_if_fail (LEAN_IS_AGENT (self), argv);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, argv);

  /* An id from an agent's stream goes on a command line: one plain word. */
  if (agent_session_id == NULL || *agent_session_id == '\0' || *agent_session_id == '-' ||
      !lean_agent_can_resume (self, mode))
    return argv;
  for (const char *p = agent_session_id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return argv;

  n = g_strv_length (argv);
  out = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    {
      /* codex exec [options] resume ID PROMPT: before the prompt (or "-"). */
      if (self->kind == LEAN_AGENT_KIND_CODEX && i == n - 1)
        {
          add (out, "resume");
          add (out, agent_session_id);
        }
      add (out, argv[i]);
      if (self->kind == LEAN_AGENT_KIND_CLAUDE && i == 0)
        {
          add (out, "--resume");
          add (out, agent_session_id);
        }
    }
  g_strfreev (argv);
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

char **
lean_agent_build_argv (LeanAgent        *self,
                       LeanSessionMode   mode,
                       const char       *model,
                       const char       *prompt,
                       GBytes          **stdin_data,
                       GError          **error)
{
  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);
  g_return_val_if_fail (stdin_data != NULL && *stdin_data == NULL, NULL);

  /* The last gate before anything runs, whoever asks (controller, CLI,
   * relay): an untrusted project command is never built. */
  if (!self->trusted)
    {
      g_set_error (error, LEAN_ERROR, LEAN_ERROR_NOT_TRUSTED,
                   _("The agent “%s” comes from %s, which you have not trusted; nothing was "
                     "run. Review it with “leanspec-ctl trust --show” and trust it with "
                     "“leanspec-ctl trust”, or in Implement with AI"),
                   self->id, self->origin != NULL ? self->origin : _("a project file"));
      return NULL;
    }
  return build_argv (self, mode, model, prompt, stdin_data, error);
}

/* Two prompts to find where the prompt goes: a runners.json argument can
 * equal one of them, never both at once. */
#define PROMPT_MARK_A "\x01lean-prompt-a\x01"
#define PROMPT_MARK_B "\x01lean-prompt-b\x01"

LeanTrustCommand *
_lean_agent_describe (LeanAgent *self)
{
  g_autoptr(LeanTrustCommand) command = g_new0 (LeanTrustCommand, 1);
  g_autoptr(GBytes) stdin_data = NULL;
  g_autoptr(GBytes) stdin_b = NULL;
  g_auto(GStrv) argv_b = NULL;

  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);

  command->label = g_strcmp0 (self->name, self->id) == 0
                   ? g_strdup_printf (_("Agent “%s”"), self->id)
                   : g_strdup_printf (_("Agent “%s” (%s)"), self->id, self->name);
  command->argv = build_argv (self, LEAN_SESSION_MODE_AUTONOMOUS, NULL, PROMPT_MARK_A,
                              &stdin_data, NULL);
  argv_b = build_argv (self, LEAN_SESSION_MODE_AUTONOMOUS, NULL, PROMPT_MARK_B, &stdin_b, NULL);
  if (command->argv == NULL || argv_b == NULL)
    {
      g_clear_pointer (&command->argv, g_strfreev);
      command->argv = g_strdupv ((char *[]) { self->executable, NULL });
    }
  command->prompt_index = -1;
  for (int i = 0; argv_b != NULL && command->argv[i] != NULL && argv_b[i] != NULL; i++)
    if (g_str_equal (command->argv[i], PROMPT_MARK_A) && g_str_equal (argv_b[i], PROMPT_MARK_B))
      {
        command->prompt_index = i;
        g_free (command->argv[i]);
        command->argv[i] = g_strdup ("");
      }
  command->prompt_on_stdin = stdin_data != NULL;
  command->env = g_strdupv (self->env);
  return g_steal_pointer (&command);
}

char **
lean_agent_build_env (LeanAgent  *self,
                      const char *project_path,
                      const char *spec_id,
                      const char *session_id)
{
  char **env;

  g_return_val_if_fail (LEAN_IS_AGENT (self), NULL);

  /* The agent starts in the project folder: an empty or relative PATH
   * entry ("", ".") would let the project provide "claude" itself. The
   * person's own runners.json may still set PATH. */
  {
    g_autofree char *path = _lean_agent_user_path ();

    env = g_environ_setenv (g_new0 (char *, 1), "PATH", path, TRUE);
  }
  /* The session's own variables come last so a runners.json "env" cannot
   * hide them. */
  for (guint i = 0; self->env[i] != NULL; i++)
    {
      g_autofree char *key = g_strndup (self->env[i], strcspn (self->env[i], "="));
      const char *value = self->env[i] + strlen (key);

      if (*value == '=')
        value++;
      env = g_environ_setenv (env, key, value, TRUE);
    }
  if (project_path != NULL)
    env = g_environ_setenv (env, "LEANSPEC_PROJECT_PATH", project_path, TRUE);
  if (spec_id != NULL)
    env = g_environ_setenv (env, "LEANSPEC_SPEC_ID", spec_id, TRUE);
  if (session_id != NULL)
    env = g_environ_setenv (env, "LEANSPEC_SESSION_ID", session_id, TRUE);
  return env;
}
