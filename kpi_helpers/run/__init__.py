"""The top layer: the command line (:mod:`.cli`), the batch runner (:mod:`.batch`) and its kernels
(:mod:`.kernel`), the demo clients' generator (:mod:`.demo`) and the translators' tool
(:mod:`.i18n_tools`). Starts notebooks; the review itself is computed inside them.
"""
