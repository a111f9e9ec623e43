"""`scaffold cohort new|update|status`: a project per student of a roster, template updates
offered to all of them as branches, and who is behind. One module per verb; `_shared` holds what
they show alike (the progress bar, the tables)."""
