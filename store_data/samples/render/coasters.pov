#version 3.7;
// Set of 4 round walnut coasters with cork backing.
#include "studio.inc"

#declare Walnut = Wood(<0.40, 0.25, 0.15>, <0.22, 0.12, 0.065>, 0.45)
#declare Cork = texture {
  pigment { granite color_map { [0 rgb SRGB(<0.72, 0.55, 0.38>)] [0.5 rgb SRGB(<0.62, 0.45, 0.30>)] [1 rgb SRGB(<0.45, 0.32, 0.20>)] } scale 0.15 }
  normal { granite 0.3 scale 0.15 }
  finish { diffuse 0.8 ambient 0 }
}
#declare Coaster = union {
  cylinder { <0, 0, 0>, <0, 0.2, 0>, 4.85 texture { Cork } }
  object { Round_Cylinder(<0, 0.2, 0>, <0, 1.0, 0>, 5.0, 0.18, 1) texture { Walnut } }
}

union {
  object { Coaster rotate y*10  translate <0.0, 0.0, 0> }
  object { Coaster rotate y*70  translate <0.3, 1.0, 0.2> }
  object { Coaster rotate y*130 translate <-0.2, 2.0, -0.1> }
  translate <-3.2, 0, 2.8>
}
object { Coaster rotate y*40 translate <5.8, 0, -4.5> }
Shoot(<1.8, 1.5, -0.6>, 22, 32, 0)
Flags(40)
