"""Results pages: a class's results and their export, the year-end lists, summaries with
charts for classes, schools and districts, and a student's report for parents.

Thin views: parse the query, call one selector (404 outside the user's reach) or service
(403 for what the user may see but not do), render.
"""
