"""The assessment rules of the Ministry's circulars, coded once each.

``numbers`` holds exact score arithmetic; ``tt22`` and ``tt27`` the rules of Thông tư
22/2021 and 27/2020; ``engine`` the interface the rest of the gradebook uses, so that a new
circular is a new engine plus a scheme row, not new code paths everywhere.
"""
