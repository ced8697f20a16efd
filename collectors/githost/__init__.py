"""What every Git-host collector shares: the file layer, the re-scan cache and the DORA arithmetic."""
