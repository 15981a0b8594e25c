#pragma once
// Clerical review through the API (issue 17, item 5; docs/hub.md), the analyst's, audited:
//   GET /api/v1/review[?role=R&offset=N&limit=L]  the review band of the latest link run of R
//       a page at a time: both records' identifiers side by side, each field's agreement
//       level and weight, each pair's latest decision, the band's progress
//   GET /api/v1/review/decided[?role=R&offset=N&limit=L]  the pairs with a decision, each
//       with its latest (who, when, note), the most recent first: to revise one
//   POST /api/v1/review/decisions  an analyst's decision on a pair of the band, or on a pair
//       decided before (a revision: appended, the latest wins) (JSON body, at most 8 KiB;
//       the token from the Authorization header only): 201, or 400 naming the field, 413, 415
// The only POST the server serves (server.cpp's guard lets it through to its handler).
#include <httplib.h>

#include <memory>
#include <string>

namespace joindots::serve {

class Access;

/// Registers the three routes on `server`, answering to `access`'s analysts, over the store `db`.
void add_review_routes(httplib::Server& server, const std::shared_ptr<Access>& access, const std::string& db);

}  // namespace joindots::serve
