module tlsm

go 1.24
