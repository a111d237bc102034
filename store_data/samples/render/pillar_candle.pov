#version 3.7;
// Unscented pillar candle, 7.5 x 10 cm, ivory.
#include "studio.inc"

#declare Wax = texture {
  pigment { rgb SRGB(<0.95, 0.91, 0.81>) }
  normal { bumps 0.02 scale 0.5 }
  finish { diffuse 0.82 ambient 0.02 specular 0.18 roughness 0.05 }
}
#declare Candle = difference {
  Round_Cylinder(<0, 0, 0>, <0, 10.0, 0>, 3.75, 0.35, 1)
  sphere { <0, 10.0 + 12, 0>, 12.25 }
  texture { Wax }
}
#declare Wick = sphere_sweep {
  cubic_spline 4,
  <0, 9.0, 0>, 0.08, <0, 9.7, 0>, 0.08, <0.1, 10.5, 0>, 0.07, <0.35, 11.0, 0>, 0.06
  texture { pigment { rgb SRGB(<0.12, 0.10, 0.08>) } finish { diffuse 0.6 ambient 0 } }
}

union { object { Candle } object { Wick } }
Shoot(<0, 5.6, 0>, 15.5, 17, 0)
Flags(40)
