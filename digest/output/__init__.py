"""What a digest becomes: present (display values), render (Markdown, HTML, text),
serialize (JSON), archive (files, index, Atom feed), formats (the registry of
file formats)."""
