// The console's asset table when the build has no console (POISE_CONSOLE_BUNDLE=OFF): empty.
#include <span>

#include "http/static_assets.h"

namespace poise::assets {

std::span<const http::StaticAsset> consoleAssets() {
  return {};
}

}  // namespace poise::assets
