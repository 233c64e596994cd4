/* SPDX-License-Identifier: MIT */
#include "config.h"

#include "lean-runner-factory.h"

G_DEFINE_INTERFACE (LeanRunnerFactory, lean_runner_factory, G_TYPE_OBJECT)

static void
lean_runner_factory_default_init (LeanRunnerFactoryInterface *iface)
{
}

LeanRunner *
lean_runner_factory_create_runner (LeanRunnerFactory  *self,
                                   const char         *runner_spec,
                                   const char         *session_id,
                                   GError            **error)
{
  g_return_val_if_fail (LEAN_IS_RUNNER_FACTORY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return LEAN_RUNNER_FACTORY_GET_IFACE (self)->create_runner (self, runner_spec, session_id,
                                                               error);
}

gboolean
lean_runner_spec_is_local (const char *runner_spec)
{
  return runner_spec == NULL || *runner_spec == '\0' || g_str_equal (runner_spec, "local");
}
