# buffer/: the durable spool (issue 5). Nothing is built here yet; see buffer/README.md.
EXTRA_DIST += buffer/README.md
