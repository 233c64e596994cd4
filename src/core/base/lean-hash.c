/* SPDX-License-Identifier: MIT */
#include "lean-hash.h"

char *
lean_hash_sha256 (const void *data,
                  gsize       len)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data ? data : (const void *)"", len);
}

char *
lean_hash_sha256_bytes (GBytes *bytes)
{
  g_return_val_if_fail (bytes != NULL, NULL);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}
