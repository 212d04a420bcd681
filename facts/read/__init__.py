"""Stage 1, reading: articles from files, manifest folders, urls and the bundled corpus, as ArticleInput."""
