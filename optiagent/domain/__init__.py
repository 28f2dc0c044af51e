"""Pure core: values and functions of explicit inputs. Standard library only, no I/O."""
