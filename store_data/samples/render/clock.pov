#version 3.7;
// Round oak desk clock on a wooden stand, silent quartz movement.
#include "studio.inc"

#declare Oak = Wood(<0.78, 0.60, 0.40>, <0.62, 0.45, 0.28>, 0.3)
#declare R = 6.5;
#declare Frame = difference {
  object { Round_Cylinder(<0, 0, -2.0>, <0, 0, 2.0>, R, 0.5, 1) }
  cylinder { <0, 0, -3>, <0, 0, -1.3>, R - 0.8 }
  texture { Oak }
}
#declare Face = cylinder {
  <0, 0, -1.31>, <0, 0, -1.2>, R - 0.79
  texture { pigment { rgb SRGB(<0.95, 0.94, 0.90>) } finish { diffuse 0.85 ambient 0 specular 0.05 } }
}
#declare Ink = texture { pigment { rgb 0.03 } finish { diffuse 0.6 ambient 0 specular 0.3 roughness 0.02 } }
#declare Markers = union {
  #declare I = 0;
  #while (I < 12)
    #if (mod(I, 3) = 0)
      box { <-0.17, R - 2.1, -1.36>, <0.17, R - 1.1, -1.31> rotate z*(-I*30) }
    #else
      box { <-0.09, R - 1.8, -1.36>, <0.09, R - 1.1, -1.31> rotate z*(-I*30) }
    #end
    #declare I = I + 1;
  #end
  texture { Ink }
}
#declare Hands = union {
  box { <-0.16, -0.6, -1.45>, <0.16, 3.0, -1.40> rotate z*-305 }    // hour hand at 10
  box { <-0.12, -0.8, -1.52>, <0.12, 4.6, -1.47> rotate z*-60 }     // minute hand at 2
  box { <-0.03, -1.2, -1.58>, <0.03, 4.8, -1.56> rotate z*-200 texture { pigment { rgb SRGB(<0.75, 0.25, 0.15>) } finish { diffuse 0.7 ambient 0 } } }
  cylinder { <0, 0, -1.62>, <0, 0, -1.4>, 0.28 }
  texture { Ink }
}
#declare Clock = union { object { Frame } object { Face } object { Markers } object { Hands } }
#declare Stand = difference {
  object { Round_Box(<-5.0, 0, -3.0>, <5.0, 1.8, 3.0>, 0.3, 1) }
  cylinder { <0, R + 0.6, -4>, <0, R + 0.6, 4>, R + 0.05 }
  texture { Oak }
}

union { object { Clock translate y*(R + 0.6) } object { Stand } rotate y*-18 }
Shoot(<0, 6.8, 0>, 19.5, 12, 0)
Flags(40)
