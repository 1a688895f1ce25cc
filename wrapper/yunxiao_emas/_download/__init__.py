"""One download of an artifact: the sans-IO flow (:mod:`.flow`: resumes, URL refreshes, commit),
the transfer to a temporary file and its commit (:mod:`.transfer`), and the parts of a download
over several connections (:mod:`.parts`). ``Client`` and ``AsyncClient`` drive it.

Empty on purpose: nothing of the download is imported before the first download.
"""
