"""The local index folder: its files (folder.py), row readers (rows.py) and the link swap (publish.py)."""
