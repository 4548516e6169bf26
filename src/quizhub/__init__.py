"""quizhub: Korean quiz site with asynchronous, durable admin saves on Cloudflare."""
