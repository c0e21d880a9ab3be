module cwlab

go 1.19
