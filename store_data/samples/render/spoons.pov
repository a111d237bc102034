#version 3.7;
// Set of 3 beech wood utensils: large spoon, spoon, spatula (lying flat).
#include "studio.inc"

#declare Beech = Wood(<0.74, 0.55, 0.36>, <0.60, 0.42, 0.26>, 0.4)

// bowl lies along +x from the origin, handle continues along +x
#macro Spoon(BowlL, BowlW, HandleL)
  union {
    difference {
      intersection { sphere { 0, 1 scale <BowlL/2, 1.1, BowlW/2> } plane { y, 0 } }
      sphere { 0, 1 scale <BowlL/2-0.35, 0.9, BowlW/2-0.3> translate y*0.22 }
      translate <BowlL/2, 1.1, 0>
    }
    sphere_sweep {
      linear_spline 3,
      <BowlL-0.4, 0.95, 0>, 0.42,
      <BowlL+2.5, 0.75, 0>, 0.38,
      <BowlL+HandleL, 0.45, 0>, 0.45
      scale <1, 1, 1.7>
    }
  }
#end
#macro Spatula(BladeL, BladeW, HandleL)
  union {
    intersection {
      sphere { 0, 1 scale <BladeL/2, 0.35, BladeW/2> }
      box { <-BladeL, -0.3, -BladeW>, <BladeL, 0.3, BladeW> }
      translate <BladeL/2, 0.3, 0>
    }
    sphere_sweep {
      linear_spline 2,
      <BladeL-0.5, 0.32, 0>, 0.32,
      <BladeL+HandleL, 0.45, 0>, 0.45
      scale <1, 1, 1.7>
    }
  }
#end

union {
  object { Spoon(8.0, 6.0, 22.0) translate <-15, 0, 5.0> rotate y*4 }
  object { Spoon(7.0, 5.0, 21.0) translate <-14, 0, -1.5> }
  object { Spatula(8.5, 6.2, 17.0) translate <-13, 0, -8.0> rotate y*-4 }
  texture { Beech }
  rotate y*-20
}
Shoot(<0.4, 0.5, -1>, 36.5, 52, 0)
Flags(60)
