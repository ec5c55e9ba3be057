module tlsm.test/mlkemdiff

go 1.26
