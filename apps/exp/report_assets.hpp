// What `exp report` writes into its page, compiled into exp (apps/exp/CMakeLists.txt
// generates the definitions from apps/exp/report/ and uPlot's npm package).
#pragma once

#include <string_view>

namespace xp::cli::report_assets {

extern const std::string_view page_template;  // report/report.html, with @EXP_...@ markers
extern const std::string_view page_css;       // report/report.css
extern const std::string_view page_js;        // report/report.js
extern const std::string_view uplot_js;       // uPlot.iife.min.js
extern const std::string_view uplot_css;      // uPlot.min.css
extern const std::string_view uplot_license;  // uPlot's LICENSE (MIT), kept in the page

}  // namespace xp::cli::report_assets
