"""The 免罚清单: items, their versions, import and export."""
