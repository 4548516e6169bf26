"""Read use cases, in one place: what the API's GET routes (and the previews) answer, as data.

- ``detail``: a published test (purge debt → Cache API → KV → D1 pointer + R2 object) and a
  result on it
- ``listing``: published tests (newest first, or searched), similar tests, the admin's list
- ``versions``: a test's current document (drafts too), its versions, previews
- ``jobs``: one job (an untouched one too) and jobs by status
- ``images``: the variant to serve for an image, and an image's state for editors
- ``health``: whether the records answer
- ``pages``: what a test's and a result's public page, its card address and the sitemaps show
  (one cached bundle per test)

Routes only parse, call one of these and map the result to HTTP (status, headers, caching).
"""
