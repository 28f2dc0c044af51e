"""Code hosts (GitHub through githubkit): the only package that imports githubkit."""
