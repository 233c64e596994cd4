/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "lean-default-runner-factory.h"
#include "lean-error.h"
#include "lean-local-runner.h"
#include "lean-relay-runner.h"

struct _LeanDefaultRunnerFactory
{
  GObject          parent_instance;

  LeanRelayConfig *relay_config;
};

enum { PROP_0, PROP_RELAY_CONFIG, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void lean_default_runner_factory_iface_init (LeanRunnerFactoryInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LeanDefaultRunnerFactory, lean_default_runner_factory,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LEAN_TYPE_RUNNER_FACTORY,
                                                      lean_default_runner_factory_iface_init))

static LeanRunner *
lean_default_runner_factory_create_runner (LeanRunnerFactory  *factory,
                                           const char         *runner_spec,
                                           const char         *session_id,
                                           GError            **error)
{
  LeanDefaultRunnerFactory *self = LEAN_DEFAULT_RUNNER_FACTORY (factory);

  if (lean_runner_spec_is_local (runner_spec))
    return LEAN_RUNNER (lean_local_runner_new ());

  if (g_str_has_prefix (runner_spec, "relay:"))
    return lean_relay_create_runner (self->relay_config, runner_spec, session_id, error);

  g_set_error (error, LEAN_ERROR, LEAN_ERROR_INVALID_VALUE,
               _("Unknown runner “%s”: use “local” or “relay:SERVER/RUNNER”."), runner_spec);
  return NULL;
}

static void
lean_default_runner_factory_iface_init (LeanRunnerFactoryInterface *iface)
{
  iface->create_runner = lean_default_runner_factory_create_runner;
}

static void
lean_default_runner_factory_dispose (GObject *object)
{
  LeanDefaultRunnerFactory *self = LEAN_DEFAULT_RUNNER_FACTORY (object);

  g_clear_object (&self->relay_config);

  G_OBJECT_CLASS (lean_default_runner_factory_parent_class)->dispose (object);
}

static void
lean_default_runner_factory_get_property (GObject    *object,
                                          guint       prop_id,
                                          GValue     *value,
                                          GParamSpec *pspec)
{
  LeanDefaultRunnerFactory *self = LEAN_DEFAULT_RUNNER_FACTORY (object);

  switch (prop_id)
    {
    case PROP_RELAY_CONFIG:
      g_value_set_object (value, self->relay_config);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_default_runner_factory_set_property (GObject      *object,
                                          guint         prop_id,
                                          const GValue *value,
                                          GParamSpec   *pspec)
{
  LeanDefaultRunnerFactory *self = LEAN_DEFAULT_RUNNER_FACTORY (object);

  switch (prop_id)
    {
    case PROP_RELAY_CONFIG:
      self->relay_config = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lean_default_runner_factory_class_init (LeanDefaultRunnerFactoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lean_default_runner_factory_dispose;
  object_class->get_property = lean_default_runner_factory_get_property;
  object_class->set_property = lean_default_runner_factory_set_property;

  properties[PROP_RELAY_CONFIG] =
    g_param_spec_object ("relay-config", NULL, NULL, LEAN_TYPE_RELAY_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lean_default_runner_factory_init (LeanDefaultRunnerFactory *self)
{
}

LeanDefaultRunnerFactory *
lean_default_runner_factory_new (LeanRelayConfig *relay_config)
{
  g_return_val_if_fail (relay_config == NULL || LEAN_IS_RELAY_CONFIG (relay_config), NULL);

  return g_object_new (LEAN_TYPE_DEFAULT_RUNNER_FACTORY, "relay-config", relay_config, NULL);
}
