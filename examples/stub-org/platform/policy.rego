package stub
