// Intel ISA-L erasure coding (Debian/Ubuntu: libisal-dev, which ships no pkg-config file).
// Only HavenMarket/Erasure/ErasureCode.swift imports this module.
#include <isa-l/erasure_code.h>
