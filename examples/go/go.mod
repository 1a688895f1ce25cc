module github.com/yunxiao-emas/yunxiao-emas/examples/go

go 1.19

require github.com/yunxiao-emas/yunxiao-emas-go v0.0.0

// The client generated from openapi.yaml (see README.md): never fetched, always local.
replace github.com/yunxiao-emas/yunxiao-emas-go => ./client
