"""The bottom layer: what every other layer may use and that uses none of them.

Package files (:mod:`.resources`), translations and the report language (:mod:`.i18n`), the
canonical
table schemas and the error users see (:mod:`.schema`), and earlier runs read as data
(:mod:`.runs`).
"""
