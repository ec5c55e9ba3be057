module tlsm.bench/mlkemgo

go 1.24
