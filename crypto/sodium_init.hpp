#pragma once
// libsodium must be initialised once per process before use; every crypto
// entry point calls this (it is cheap after the first call).

namespace airlock {
void ensure_sodium();
}
